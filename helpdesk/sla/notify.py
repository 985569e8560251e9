"""Telling agents about SLA clocks: the hook point to the notification center.

`helpdesk.notifications.actions.notify` (issue 16's notification center) is called
when that app is installed; `notifiers` lets anything else listen too (tests, an
integration). Called inside the transaction that recorded the SLA event: the
notification center sends nothing until it commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.apps import apps
from django.utils.translation import gettext as _

from helpdesk.models import Agent, Role, Ticket
from helpdesk.sla.models import Target

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SlaNotice:
    """What happened: `kind` is "sla_due_soon" or "sla_breached"."""

    kind: str
    ticket_id: int
    target: str
    due_at: datetime
    recipients: frozenset[int]


notifiers: list[Callable[[SlaNotice], None]] = []


def recipients(ticket: Ticket, *, supervisors: bool) -> set[int]:
    """The assignee, or the team's agents when nobody is assigned; with `supervisors`
    also the supervisors of the ticket's team (team-level breach notifications)."""
    users: set[int] = set()
    if ticket.assignee_id is not None:
        users.add(ticket.assignee_id)
    elif ticket.team_id is not None:
        users.update(Agent.objects.filter(teams=ticket.team_id).values_list("user_id", flat=True))
    if supervisors and ticket.team_id is not None:
        users.update(
            Agent.objects.filter(teams=ticket.team_id, role=Role.SUPERVISOR).values_list(
                "user_id", flat=True
            )
        )
    return users


def _title(kind: str, target: str, ticket_id: int) -> str:
    label = Target(target).label
    if kind == "sla_breached":
        return _("SLA breached: %(target)s on #%(n)s") % {"target": label, "n": ticket_id}
    return _("SLA due soon: %(target)s on #%(n)s") % {"target": label, "n": ticket_id}


def tell(kind: str, ticket: Ticket, target: str, due_at: datetime, users: set[int]) -> None:
    """Notify `users` about a target of the ticket (once per due time: deduplicated)."""
    notice = SlaNotice(kind, ticket.pk, target, due_at, frozenset(users))
    for notifier in notifiers:
        notifier(notice)
    if not users or not apps.is_installed("helpdesk.notifications"):
        return
    from helpdesk.notifications.actions import notify

    notify(
        users,
        kind,
        ticket_id=ticket.pk,
        title=partial(_title, kind, target, ticket.pk),  # in each recipient's language
        body=ticket.subject,
        dedupe_key=f"{kind}:{ticket.pk}:{target}:{due_at.isoformat()}",
    )
