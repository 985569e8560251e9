"""The core's event schemas: one pydantic model per event type.

An action builds the model and hands it to `helpdesk.events.record`; the model's
`type` (a ClassVar, not a field) names the event, and its JSON dump is the
payload clients receive. Payloads hold ids and ISO times, never model instances.
Channels declare their own schemas (subclasses of `EventSchema`) in their
manifest (`ChannelSpec.event_schemas`), e.g. the phone's call events.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventType(StrEnum):
    """The core's event types (channels name theirs in their own schemas)."""

    TICKET_CREATED = "ticket.created"
    MESSAGE_CREATED = "message.created"
    MESSAGE_DELIVERY = "message.delivery"
    MESSAGE_UPDATED = "message.updated"
    TICKET_ASSIGNED = "ticket.assigned"
    TICKET_STATUS_CHANGED = "ticket.status_changed"
    TICKET_PRIORITY_CHANGED = "ticket.priority_changed"
    TICKET_TAGS_CHANGED = "ticket.tags_changed"
    TICKET_MERGED = "ticket.merged"
    CONTACT_MERGED = "contact.merged"
    CONTACT_UPDATED = "contact.updated"
    TICKET_TEAM_CHANGED = "ticket.team_changed"


class EventSchema(BaseModel):
    """Base of every event schema: strict (no unknown fields), immutable, typed by `type`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The event's type ("ticket.created"): set by every concrete schema.
    type: ClassVar[str]


class TicketCreated(EventSchema):
    type: ClassVar[str] = EventType.TICKET_CREATED.value

    ticket_id: int
    subject: str
    contact_id: int
    contact_name: str
    inbox_id: int
    channel: str
    status: str
    priority: int
    follows_up: int | None = None


class MessageCreated(EventSchema):
    type: ClassVar[str] = EventType.MESSAGE_CREATED.value

    ticket_id: int
    message_id: int
    direction: str
    author_kind: str
    author_id: int | None
    channel: str
    excerpt: str
    delivery_status: str
    created_at: datetime


class MessageDelivery(EventSchema):
    type: ClassVar[str] = EventType.MESSAGE_DELIVERY.value

    ticket_id: int
    message_id: int
    delivery_status: str
    error: str
    attempts: int


class MessageUpdated(EventSchema):
    """A stored customer message changed: edited on its channel, or its files arrived."""

    type: ClassVar[str] = EventType.MESSAGE_UPDATED.value

    ticket_id: int
    message_id: int
    excerpt: str
    edited: bool
    attachments: int


class TicketAssigned(EventSchema):
    type: ClassVar[str] = EventType.TICKET_ASSIGNED.value

    ticket_id: int
    assignee_id: int | None
    previous_assignee_id: int | None


class TicketStatusChanged(EventSchema):
    type: ClassVar[str] = EventType.TICKET_STATUS_CHANGED.value

    ticket_id: int
    status: str
    previous_status: str
    snoozed_until: datetime | None = None


class TicketPriorityChanged(EventSchema):
    type: ClassVar[str] = EventType.TICKET_PRIORITY_CHANGED.value

    ticket_id: int
    priority: int
    previous_priority: int


class TicketTagsChanged(EventSchema):
    type: ClassVar[str] = EventType.TICKET_TAGS_CHANGED.value

    ticket_id: int
    tags: list[str]


class TicketMerged(EventSchema):
    type: ClassVar[str] = EventType.TICKET_MERGED.value

    ticket_id: int
    merged_into: int
    moved_messages: int


class ContactMerged(EventSchema):
    type: ClassVar[str] = EventType.CONTACT_MERGED.value

    contact_id: int
    merged_into: int


class ContactUpdated(EventSchema):
    type: ClassVar[str] = EventType.CONTACT_UPDATED.value

    contact_id: int
    fields: list[str]


class TicketTeamChanged(EventSchema):
    type: ClassVar[str] = EventType.TICKET_TEAM_CHANGED.value

    ticket_id: int
    team_id: int | None
    previous_team_id: int | None


CORE_SCHEMAS: tuple[type[EventSchema], ...] = (
    TicketCreated,
    MessageCreated,
    MessageDelivery,
    MessageUpdated,
    TicketAssigned,
    TicketStatusChanged,
    TicketPriorityChanged,
    TicketTagsChanged,
    TicketMerged,
    ContactMerged,
    ContactUpdated,
    TicketTeamChanged,
)
