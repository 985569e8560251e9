"""The notification center's actions: the one way to tell agents something.

`notify` is the stable entry point other parts call (SLA clocks, time rules, CRM
tasks and referrals, webhooks): it stores one Notification per recipient that
may receive it, and on commit pushes it to the agent's socket (group
`agent.<user id>`) and queues the mail when the agent wants one.

An agent is never told about a ticket they may not read: recipients are checked
against the ticket's team with the rule of `helpdesk.staff.access`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from helpdesk.models import Agent, Role, Ticket
from helpdesk.notifications import delivery
from helpdesk.notifications.models import TITLE_MAX, EmailState, Notification, NotificationKind
from helpdesk.notifications.preferences import Choice, choices_for

# Who to tell: an Agent, a user, or a user's id (never an Agent's id).
type Recipient = Agent | AbstractBaseUser | int


@dataclass(frozen=True)
class Title:
    """A translatable title kept as its msgid and parameters, so each reader sees it in
    their language of the day, not the one they had when it was made:
    `Title(gettext_noop("New message on %(ticket)s"), {"ticket": "#7 Refund"})`.
    Parameters are JSON-safe strings (names, labels), never translated themselves."""

    msgid: str
    params: dict[str, str] = field(default_factory=dict)

    def __call__(self) -> str:
        return gettext(self.msgid) % self.params


# A title or body: a fixed string (user text, a name), or a callable that renders it
# with gettext; callables run once per recipient language, inside `translation.override`.
type Text = str | Callable[[], str]


def notify(
    recipients: Iterable[Recipient],
    kind: NotificationKind | str,
    *,
    ticket_id: int | None = None,
    title: Text,
    body: Text = "",
    url: str = "",
    dedupe_key: str = "",
    actor_id: int | None = None,
) -> list[Notification]:
    """Tell `recipients` about something; returns the notifications stored.

    Skipped: inactive users and users without an agent profile, the `actor_id`
    (nobody is told about what they did themselves), agents who may not read
    `ticket_id`, agents whose preferences turn `kind` off everywhere, and with a
    `dedupe_key` the agents who already got a notification with that key. `url`
    defaults to the ticket's page. `title` and `body` given as callables are rendered
    in each recipient's language (their agent profile's), whoever triggered the
    notification: `title=lambda: _("SLA breached on #%(n)s") % {"n": 7}`; a `Title` is
    also kept as msgid and parameters, so the desk shows it in the reader's language
    of the day (Notification.display_title). Safe inside a
    transaction: frames and mail leave only when it commits, and nothing leaves if it
    rolls back.
    """
    kind = NotificationKind(kind)
    ticket = _ticket(ticket_id)
    if ticket_id is not None and ticket is None:
        return []
    languages = _allowed(_user_ids(recipients) - {actor_id}, ticket)
    user_ids = set(languages)
    if dedupe_key:
        user_ids -= set(
            Notification.objects.filter(
                recipient_id__in=user_ids, dedupe_key=dedupe_key
            ).values_list("recipient_id", flat=True)
        )
    if not user_ids:
        return []
    choices = choices_for(user_ids, kind)
    now = timezone.now()
    link = url or (_ticket_url(ticket.pk) if ticket is not None else "")
    texts = {lang: _render(title, body, lang) for lang in {languages[u] for u in user_ids}}
    rows = [
        _build(
            uid, choices[uid], kind, ticket, actor_id, *texts[languages[uid]], link, dedupe_key, now
        )
        for uid in sorted(user_ids)
        if choices[uid].anything
    ]
    if isinstance(title, Title):
        for row in rows:
            row.title_key, row.title_params = title.msgid, title.params
    stored = _store(rows)
    for note in stored:
        transaction.on_commit(partial(delivery.deliver, note), robust=True)
    return stored


def _user_ids(recipients: Iterable[Recipient]) -> set[int]:
    ids: set[int] = set()
    for r in recipients:
        if isinstance(r, Agent):
            ids.add(r.user_id)
        elif isinstance(r, int) and not isinstance(r, bool):
            ids.add(r)
        elif isinstance(r, AbstractBaseUser) and r.pk is not None:
            ids.add(int(r.pk))
        else:
            raise TypeError(f"not a recipient: {r!r}")
    return ids


def _ticket(ticket_id: int | None) -> Ticket | None:
    if ticket_id is None:
        return None
    return Ticket.objects.filter(pk=ticket_id).only("id", "team_id", "subject").first()


def _render(title: Text, body: Text, language: str) -> tuple[str, str]:
    """Title and body in `language` (callables rendered under its translation)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return (
            title() if callable(title) else title,
            body() if callable(body) else body,
        )


def _allowed(user_ids: set[int], ticket: Ticket | None) -> dict[int, str]:
    """Active agents among `user_ids` with their language; with a ticket, only those who
    may read it now."""
    if not user_ids:
        return {}
    agents = Agent.objects.filter(user_id__in=user_ids, user__is_active=True)
    if ticket is not None:
        # helpdesk.staff.access.can_read_ticket, for many agents in one query.
        readable = Q(role=Role.ADMIN) | Q(user__is_superuser=True)
        if ticket.team_id is not None:
            readable |= Q(teams=ticket.team_id)
        agents = agents.filter(readable)
    return dict(agents.values_list("user_id", "language").distinct())


def _ticket_url(ticket_id: int) -> str:
    try:
        return reverse("ticket", args=[ticket_id])
    except NoReverseMatch:  # a project without the agents' screens
        return ""


def _build(
    user_id: int,
    choice: Choice,
    kind: NotificationKind,
    ticket: Ticket | None,
    actor_id: int | None,
    title: str,
    body: str,
    url: str,
    dedupe_key: str,
    now: datetime,
) -> Notification:
    return Notification(
        recipient_id=user_id,
        kind=kind,
        ticket=ticket,
        actor_id=actor_id,
        title=title[:TITLE_MAX],
        body=body,
        url=url,
        dedupe_key=dedupe_key,
        in_app=choice.in_app,
        desktop=choice.desktop,
        email_state=EmailState.PENDING if choice.email else EmailState.NONE,
        created_at=now,
    )


def _store(rows: list[Notification]) -> list[Notification]:
    """Insert `rows`; a row whose dedupe key another transaction stored meanwhile is dropped."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        if not rows[0].dedupe_key:
            raise
    stored = []
    for row in rows:  # the rare race on a dedupe key: one by one, each in a savepoint
        try:
            with transaction.atomic():
                row.save(force_insert=True)
            stored.append(row)
        except IntegrityError:
            continue
    return stored


def do_mark_read(user_id: int, notification_ids: Iterable[int]) -> int:
    """Mark the user's own notifications read (others' ids are ignored); returns how many.

    A notification read before its mail left is not mailed (helpdesk.notifications.mail).
    """
    now = timezone.now()
    count = Notification.objects.filter(
        recipient_id=user_id, pk__in=list(notification_ids), read_at__isnull=True
    ).update(read_at=now)
    if count:
        transaction.on_commit(partial(delivery.publish_read, user_id), robust=True)
    return count


def do_mark_all_read(user_id: int) -> int:
    """Mark every unread notification of the user read; returns how many."""
    count = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        transaction.on_commit(partial(delivery.publish_read, user_id), robust=True)
    return count


def do_mark_ticket_read(user_id: int, ticket_id: int) -> int:
    """Opening a ticket reads the notifications about it."""
    count = Notification.objects.filter(
        recipient_id=user_id, ticket_id=ticket_id, read_at__isnull=True
    ).update(read_at=timezone.now())
    if count:
        transaction.on_commit(partial(delivery.publish_read, user_id), robust=True)
    return count


def team_members(team_id: int | None, *, supervisors_only: bool = False) -> list[int]:
    """User ids of the active agents of a team (or its supervisors), for `notify`.

    The SLA clocks tell a team's supervisors of a breach with
    `notify(team_members(ticket.team_id, supervisors_only=True), SLA_BREACHED, ...)`.
    """
    if team_id is None:
        return []
    agents = Agent.objects.filter(teams=team_id, user__is_active=True)
    if supervisors_only:
        agents = agents.filter(role=Role.SUPERVISOR)
    return list(agents.values_list("user_id", flat=True).distinct())
