"""Notification mail: sent at once during the agent's working hours, as one digest after.

The mail leaves from the mailbox of one of the agent's teams, through the channel
registry: a channel whose sender `copies_to` email and also implements
`StaffMailer` (the email channel's does). The core never imports a channel.

Delivery is at most once: rows are claimed (pending -> sent) before the send and
put back to pending when the SMTP server refuses for now; a worker that dies in
the middle loses that mail, never sends it twice. Notifications read in the desk
before their mail left are not mailed (skipped).
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from helpdesk import channels, identities, jalali
from helpdesk.digits import persian_digits
from helpdesk.models import Agent
from helpdesk.notifications.hours import next_opening, working_hours_for
from helpdesk.notifications.models import EmailState, Notification
from helpdesk.notifications.queries import readable
from helpdesk.task_connection import releases_broken_connection

logger = logging.getLogger(__name__)

DIGEST_LIMIT = 50  # items listed in one mail; the rest are counted


@runtime_checkable
class StaffMailer(Protocol):
    """A sender that can mail the desk's own staff from a team's mailbox."""

    def send_staff_mail(self, team_id: int, address: str, subject: str, text: str) -> bool:
        """Mail `address` from the team's mailbox; False when the team has none that sends.

        Raises helpdesk.channels.DeliveryError when the server refuses.
        """
        ...


def _delay() -> timedelta:
    return timedelta(seconds=getattr(settings, "HELPDESK_NOTIFICATION_MAIL_DELAY_SECONDS", 60))


def send_at(user_id: int, now: datetime) -> datetime:
    """When the agent's waiting mail should leave: soon at work, at the next opening if not.

    The short delay inside working hours gathers a burst into one mail.
    """
    hours = working_hours_for(user_id)
    if hours is None:
        return now + _delay()
    opening = next_opening(hours, now)
    if opening is None or opening <= now:  # at work (or closed for a fortnight: never hold forever)
        return now + _delay()
    return opening


def schedule(user_id: int) -> None:
    """Queue the mail task for the agent's waiting notifications (after commit)."""
    at = send_at(user_id, timezone.now())
    send_notification_mail.using(run_after=at).enqueue(user_id)


@task()
@releases_broken_connection
def send_notification_mail(user_id: int) -> str:
    """Mail the agent what is waiting for them (one mail, a digest when several)."""
    return send_pending(user_id, timezone.now())


def send_pending(user_id: int, now: datetime) -> str:
    """Send the waiting mail of `user_id` if the agent is at work at `now`; say what happened."""
    hours = working_hours_for(user_id)
    if hours is not None:
        opening = next_opening(hours, now)
        if opening is not None and opening > now:
            send_notification_mail.using(run_after=opening).enqueue(user_id)
            return "held until working hours"
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    address = _address(user.email if user is not None else "")
    claimed = _claim(user_id, now)
    if not claimed:
        return "nothing to send"
    if not address:
        _settle(claimed, EmailState.SKIPPED, now)
        return "skipped: the agent has no email address"
    return _send(user_id, address, claimed, now)


def _address(raw: str) -> str:
    try:
        return identities.normalize_email(raw) if raw else ""
    except identities.InvalidAddress:
        return ""


def _claim(user_id: int, now: datetime) -> list[Notification]:
    """Take the waiting rows (pending -> sent) in one transaction; read ones are skipped."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient_id=user_id, email_state=EmailState.PENDING)
            .order_by("created_at", "id")
        )
        # Read in the desk already, or about a ticket the agent may no longer read.
        allowed = set(
            readable(user_id, in_app=False)
            .filter(pk__in=[n.pk for n in rows])
            .values_list("pk", flat=True)
        )
        todo = [n for n in rows if n.read_at is None and n.pk in allowed]
        skip = [n.pk for n in rows if n not in todo]
        Notification.objects.filter(pk__in=skip).update(email_state=EmailState.SKIPPED)
        Notification.objects.filter(pk__in=[n.pk for n in todo]).update(
            email_state=EmailState.SENT, emailed_at=now
        )
    return todo


def _settle(rows: list[Notification], state: EmailState, now: datetime) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(email_state=state)


def _send(user_id: int, address: str, rows: list[Notification], now: datetime) -> str:
    agent = Agent.objects.filter(user_id=user_id).first()
    language = agent.language if agent is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        subject, text = compose(rows, agent.time_zone if agent is not None else "UTC")
    team_ids = list(
        agent.teams.order_by("id").values_list("id", flat=True) if agent is not None else []
    )
    for mailer in _mailers():
        for team_id in team_ids:
            try:
                if mailer.send_staff_mail(team_id, address, subject, text):
                    return f"sent {len(rows)}"
            except channels.DeliveryError as exc:
                logger.warning("notification mail to user %s failed: %s", user_id, exc.reason)
                if exc.permanent:
                    _settle(rows, EmailState.SKIPPED, now)
                    return f"refused: {exc.reason}"
                _settle(rows, EmailState.PENDING, now)
                retry = now + timedelta(seconds=max(exc.retry_after or 0, 300))
                send_notification_mail.using(run_after=retry).enqueue(user_id)
                return f"retry later: {exc.reason}"
    _settle(rows, EmailState.SKIPPED, now)
    return "skipped: none of the agent's teams has a mailbox that sends"


def _mailers() -> list[StaffMailer]:
    return [s for s in channels.copy_senders(identities.EMAIL) if isinstance(s, StaffMailer)]


def compose(rows: list[Notification], time_zone: str = "UTC") -> tuple[str, str]:
    """(subject, plain text) of the mail for `rows`, in the active language."""
    site = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    if len(rows) == 1:
        only = rows[0]
        subject = only.title
        lines = [only.title, "", only.body] if only.body else [only.title]
        if only.url:
            lines += ["", site + only.url]
        return subject, "\n".join(lines).strip() + "\n"
    subject = ngettext(
        "%(count)d notification from the help desk",
        "%(count)d notifications from the help desk",
        len(rows),
    ) % {"count": len(rows)}
    zone = zoneinfo.ZoneInfo(time_zone)
    lines = [_("What happened while you were away:"), ""]
    for note in rows[:DIGEST_LIMIT]:
        lines.append(f"- {_when(note.created_at, zone)} {note.title}")
        if note.url:
            lines.append(f"  {site}{note.url}")
    if len(rows) > DIGEST_LIMIT:
        lines.append(_("…and %(count)d more in the desk.") % {"count": len(rows) - DIGEST_LIMIT})
    # Persian digits in the words, never in the links (a URL needs ASCII digits).
    return (persian_digits(subject) if _persian() else subject), "\n".join(lines) + "\n"


def _persian() -> bool:
    return (translation.get_language() or "").startswith("fa")


def _when(at: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """A digest line's time in the agent's zone: Jalali in Persian."""
    with timezone.override(zone):
        if _persian():
            return jalali.short_datetime(at)
        return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
