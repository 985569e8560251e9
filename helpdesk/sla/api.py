"""The ticket's `sla` in the JSON API, and the list filters `sla=breached|due_soon`."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja import Schema

from helpdesk.models import Ticket
from helpdesk.sla.models import SlaStatus, Target, TicketSla
from helpdesk.sla.policies import due_soon_seconds

TARGETS = tuple(Target.values)
# Read with a ticket row (.values()), through the reverse one-to-one: one LEFT JOIN.
SLA_FIELDS = (
    "policy_name",
    "status",
    "next_due_at",
    "breaches",
    *(f"{t}_{f}" for t in TARGETS for f in ("state", "due_at")),
)
SLA_ROW_FIELDS = tuple(f"sla__{name}" for name in SLA_FIELDS)


class SlaFilter(StrEnum):
    BREACHED = "breached"
    DUE_SOON = "due_soon"


class SlaBreachOut(Schema):
    target: Target
    at: datetime


class SlaOut(Schema):
    policy: str | None
    status: SlaStatus
    first_response_due_at: datetime | None
    next_response_due_at: datetime | None
    resolution_due_at: datetime | None
    breaches: list[SlaBreachOut]
    # Beyond the documented shape: the earliest running due time and each target's state
    # (active | paused | met | breached | stopped, "" when the policy does not track it).
    next_due_at: datetime | None
    states: dict[str, str]


def sla_out(values: dict[str, Any]) -> dict[str, Any]:
    """The `sla` object from SLA_FIELDS values (all None for a ticket without a row)."""
    return {
        "policy": values.get("policy_name") or None,
        "status": values.get("status") or SlaStatus.NONE.value,
        "first_response_due_at": values.get("first_response_due_at"),
        "next_response_due_at": values.get("next_response_due_at"),
        "resolution_due_at": values.get("resolution_due_at"),
        "breaches": [
            {"target": b["target"], "at": datetime.fromisoformat(b["at"])}
            for b in values.get("breaches") or []
        ],
        "next_due_at": values.get("next_due_at"),
        "states": {t: values.get(f"{t}_state") or "" for t in TARGETS},
    }


def sla_of_row(row: dict[str, Any]) -> dict[str, Any]:
    """`sla_out` of a ticket row read with SLA_ROW_FIELDS."""
    return sla_out({name: row.get(f"sla__{name}") for name in SLA_FIELDS})


def sla_values(ticket: Ticket) -> dict[str, Any]:
    """SLA_FIELDS of a ticket instance (one query unless `sla` was selected with it)."""
    try:
        row: TicketSla = ticket.sla
    except TicketSla.DoesNotExist:
        return dict.fromkeys(SLA_FIELDS)
    return {name: getattr(row, name) for name in SLA_FIELDS}


def due_soon_q(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    window = now + timedelta(seconds=due_soon_seconds())
    return Q(sla__next_due_at__gt=now, sla__next_due_at__lte=window)


def breached_q() -> Q:
    return Q(sla__status=SlaStatus.BREACHED)


def filter_tickets(qs: QuerySet[Ticket], value: str) -> QuerySet[Ticket]:
    """Tickets whose SLA is breached now, or due within the due-soon window."""
    return qs.filter(breached_q() if value == SlaFilter.BREACHED else due_soon_q())
