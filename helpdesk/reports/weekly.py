"""The weekly report by email to team leads (docs/reports.md, "Weekly mail").

Opt-in (`HELPDESK_REPORTS_WEEKLY_MAIL`). A team's leads are its members with the
supervisor or admin role and an email address. Each lead gets, once per week, the
figures of the seven days before their week began (Saturday in Persian, Monday in
English, 08:00 in the lead's time zone), in their language, from the team's
mailbox (the StaffMailer of the notification mail). A row is written before the
send, so a mail leaves at most once; a refused send is recorded, not retried.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from helpdesk import channels, identities
from helpdesk.digits import persian_digits
from helpdesk.jalali import long_date
from helpdesk.models import Agent, Role, Team
from helpdesk.notifications.mail import StaffMailer
from helpdesk.reports import backlog, queries
from helpdesk.reports.models import WeeklyMailState, WeeklyReportMail

logger = logging.getLogger(__name__)
SEND_HOUR = time(8, 0)


@dataclass(frozen=True, slots=True)
class Due:
    team: Team
    agent: Agent
    week_start: date
    since: datetime  # the reported week, in the lead's zone
    until: datetime


def enabled() -> bool:
    return bool(getattr(settings, "HELPDESK_REPORTS_WEEKLY_MAIL", False))


def week_start_of(agent: Agent, now: datetime) -> tuple[date, datetime]:
    """The first day of the lead's current week and when its mail is due."""
    zone = zoneinfo.ZoneInfo(agent.time_zone or "UTC")
    today = now.astimezone(zone).date()
    first = 6 if agent.language == "fa" else 1  # ISO weekday: Saturday or Monday
    start = today - timedelta(days=(today.isoweekday() - first) % 7)
    return start, datetime.combine(start, SEND_HOUR, tzinfo=zone)


def due(now: datetime) -> list[Due]:
    """Leads whose weekly mail is due at `now` and not yet written."""
    out = []
    leads = Agent.objects.filter(
        role__in=[Role.SUPERVISOR, Role.ADMIN], user__is_active=True
    ).exclude(user__email="")
    for agent in leads.select_related("user").prefetch_related("teams"):
        start, at = week_start_of(agent, now)
        if now < at:
            continue
        zone = zoneinfo.ZoneInfo(agent.time_zone or "UTC")
        until = datetime.combine(start, time(0), tzinfo=zone)
        since = datetime.combine(start - timedelta(days=7), time(0), tzinfo=zone)
        for team in agent.teams.all():
            out.append(Due(team, agent, start, since, until))
    done = set(
        WeeklyReportMail.objects.filter(week_start__in={d.week_start for d in out}).values_list(
            "team_id", "lead_id", "week_start"
        )
    )
    return [d for d in out if (d.team.pk, d.agent.user_id, d.week_start) not in done]


def send_due(now: datetime) -> int:
    """Mail every due weekly report; returns how many left."""
    if not enabled():
        return 0
    sent = 0
    for item in due(now):
        try:
            with transaction.atomic():
                row = WeeklyReportMail.objects.create(
                    team=item.team,
                    lead_id=item.agent.user_id,
                    week_start=item.week_start,
                    state=WeeklyMailState.SENT,
                )
        except IntegrityError:
            continue  # another scheduler claimed it
        state, detail = _send(item)
        if state != WeeklyMailState.SENT:
            WeeklyReportMail.objects.filter(pk=row.pk).update(state=state, detail=detail[:200])
        else:
            sent += 1
    return sent


def _send(item: Due) -> tuple[str, str]:
    try:
        address = identities.normalize_email(item.agent.user.email)
    except identities.InvalidAddress:
        return WeeklyMailState.SKIPPED, "no valid address"
    with translation.override(item.agent.language):
        subject, text = compose(item)
    mailers = [s for s in channels.copy_senders(identities.EMAIL) if isinstance(s, StaffMailer)]
    for mailer in mailers:
        try:
            if mailer.send_staff_mail(item.team.pk, address, subject, text):
                return WeeklyMailState.SENT, ""
        except channels.DeliveryError as exc:
            logger.warning("weekly report to %s failed: %s", address, exc.reason)
            return WeeklyMailState.FAILED, exc.reason
    return WeeklyMailState.SKIPPED, "the team has no mailbox that sends"


def figures(item: Due) -> dict[str, Any]:
    """The week's figures of the team (the same queries as the screens and the API)."""
    f = queries.Filters(since=item.since, until=item.until, team=item.team.pk)
    s = queries.summary(f)
    return {
        "created": s["conversations_created"],
        "resolved": s["conversations_resolved"],
        "reopened": s["conversations_reopened"],
        "first_response_median_s": s["first_response_time"]["median_s"],
        "resolution_median_s": s["resolution_time"]["median_s"],
        "csat_pct": s["csat"]["satisfied_pct"],
        "nps": s["nps"]["score"],
        "backlog": backlog.open_at(f, item.until),
    }


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 120:
        return _("%(n)d min") % {"n": minutes}
    return _("%(n).1f h") % {"n": seconds / 3600}


def compose(item: Due) -> tuple[str, str]:
    """(subject, plain text) in the active language; Jalali dates and Persian digits in Persian."""
    fa = (translation.get_language() or "").startswith("fa")
    last = item.until - timedelta(days=1)
    if fa:
        span = f"{long_date(item.since)} – {long_date(last)}"
    else:
        span = f"{item.since:%d %b %Y} – {last:%d %b %Y}"
    n = figures(item)
    subject = _("Weekly report of %(team)s, %(span)s") % {"team": item.team.name, "span": span}
    rows = [
        (_("Conversations created"), str(n["created"])),
        (_("Resolved"), str(n["resolved"])),
        (_("Reopened"), str(n["reopened"])),
        (_("First response (median)"), _duration(n["first_response_median_s"])),
        (_("Resolution (median)"), _duration(n["resolution_median_s"])),
        (_("CSAT (% satisfied)"), "—" if n["csat_pct"] is None else f"{n['csat_pct']}%"),
        (_("NPS"), "—" if n["nps"] is None else str(n["nps"])),
        (_("Open at the end of the week"), str(n["backlog"])),
    ]
    lines = [subject, ""] + [f"- {label}: {value}" for label, value in rows]
    text = "\n".join(lines)
    if fa:
        subject, text = persian_digits(subject), persian_digits(text)
    site = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    period = {"team": item.team.pk, "since": item.since.date(), "until": last.date()}
    link = f"{site}{reverse('reports')}?{urlencode(period)}"
    return subject, f"{text}\n\n{link}\n"
