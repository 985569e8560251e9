"""Events of the SLA clocks and time rules, recorded on the ticket (so the inbox,
notifications and outbound webhooks see them like any other event)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from helpdesk.event_schemas import EventSchema


class SlaEventType(StrEnum):
    SLA_APPLIED = "sla.applied"
    SLA_DUE_SOON = "sla.due_soon"
    SLA_BREACHED = "sla.breached"
    TIME_RULE_FIRED = "automation.time_rule_fired"


class SlaApplied(EventSchema):
    """A policy now covers the ticket (or none does): on creation, or when the priority,
    team, tags or inbox changed which policy or targets apply. The history of a ticket's
    policies is these events."""

    type: ClassVar[str] = SlaEventType.SLA_APPLIED.value

    ticket_id: int
    policy: str | None
    previous_policy: str | None
    reason: str
    first_response_due_at: datetime | None
    next_response_due_at: datetime | None
    resolution_due_at: datetime | None


class SlaDueSoon(EventSchema):
    type: ClassVar[str] = SlaEventType.SLA_DUE_SOON.value

    ticket_id: int
    policy: str
    target: str
    due_at: datetime


class SlaBreached(EventSchema):
    type: ClassVar[str] = SlaEventType.SLA_BREACHED.value

    ticket_id: int
    policy: str
    target: str
    due_at: datetime


class TimeRuleFired(EventSchema):
    """A time rule acted on the ticket (the ticket's log of automation)."""

    type: ClassVar[str] = SlaEventType.TIME_RULE_FIRED.value

    ticket_id: int
    rule_id: int
    rule: str
    trigger: str
    actions: list[str]


SLA_SCHEMAS: tuple[type[EventSchema], ...] = (SlaApplied, SlaDueSoon, SlaBreached, TimeRuleFired)
