"""The phone's events: a call's state for the live pop-up (declared in channel.SPEC)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from helpdesk.event_schemas import EventSchema


class CallTicket(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    subject: str
    status: str


class CallContactPoint(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str
    ticket_id: int
    at: datetime


class CallCard(EventSchema):
    """A call's state with the caller's card (computed by the action, see calls.caller_card)."""

    call_id: int
    line_id: int
    direction: str
    number: str
    state: str
    outcome: str
    contact_id: int | None
    contact_name: str
    agent_id: int | None
    ticket_id: int | None
    open_tickets: list[CallTicket]
    last_contacts: list[CallContactPoint]


class CallRinging(CallCard):
    type: ClassVar[str] = "call.ringing"


class CallAnswered(CallCard):
    type: ClassVar[str] = "call.answered"


class CallEnded(CallCard):
    type: ClassVar[str] = "call.ended"
