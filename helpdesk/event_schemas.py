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
    CONTACT_CREATED = "contact.created"
    TICKET_TEAM_CHANGED = "ticket.team_changed"
    COMPANY_UPDATED = "company.updated"
    TICKET_ATTRIBUTES_CHANGED = "ticket.attributes_changed"
    SURVEY_ANSWERED = "survey.answered"
    TICKET_SPLIT = "ticket.split"
    TICKET_REFERRED = "ticket.referred"
    TASK_CREATED = "task.created"
    TASK_UPDATED = "task.updated"
    TASK_REFERRED = "task.referred"
    TASK_REMINDER = "task.reminder"


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


class ContactCreated(EventSchema):
    """The desk created a contact (a new sender's first message)."""

    type: ClassVar[str] = EventType.CONTACT_CREATED.value

    contact_id: int
    name: str
    identity_kind: str


class ContactUpdated(EventSchema):
    type: ClassVar[str] = EventType.CONTACT_UPDATED.value

    contact_id: int
    fields: list[str]


class TicketTeamChanged(EventSchema):
    type: ClassVar[str] = EventType.TICKET_TEAM_CHANGED.value

    ticket_id: int
    team_id: int | None
    previous_team_id: int | None


class TicketSplit(EventSchema):
    """Messages of `ticket_id` moved to the new ticket `split_into` (recorded on both)."""

    type: ClassVar[str] = EventType.TICKET_SPLIT.value

    ticket_id: int
    split_into: int
    moved_messages: int


class TicketReferred(EventSchema):
    """A ticket handed to a colleague or a team with a note (helpdesk.followups)."""

    type: ClassVar[str] = EventType.TICKET_REFERRED.value

    ticket_id: int
    referral_id: int
    assignee_id: int | None
    team_id: int | None
    note: str


class TaskEvent(EventSchema):
    """A follow-up task's state (helpdesk.followups); `assignee_id` reaches their socket."""

    task_id: int
    title: str
    status: str
    kind: str
    due_at: datetime | None
    assignee_id: int | None
    previous_assignee_id: int | None = None
    team_id: int | None
    ticket_id: int | None
    contact_id: int | None


class TaskCreated(TaskEvent):
    type: ClassVar[str] = EventType.TASK_CREATED.value


class TaskUpdated(TaskEvent):
    type: ClassVar[str] = EventType.TASK_UPDATED.value

    fields: list[str]


class TaskReferred(TaskEvent):
    type: ClassVar[str] = EventType.TASK_REFERRED.value

    referral_id: int
    note: str


class TaskReminder(TaskEvent):
    """The task is due: its assignee (or its team) is reminded."""

    type: ClassVar[str] = EventType.TASK_REMINDER.value


class SurveyAnswered(EventSchema):
    """A customer answered (or changed their answer to) a CSAT or NPS survey (helpdesk.surveys)."""

    type: ClassVar[str] = EventType.SURVEY_ANSWERED.value

    ticket_id: int
    request_id: int
    response_id: int
    kind: str
    score: int
    comment: str
    contact_id: int
    agent_id: int | None
    inbox_id: int
    channel: str
    answered_at: datetime
    changed: bool


class CompanyUpdated(EventSchema):
    """A company was created, edited or deleted (helpdesk.actions.companies)."""

    type: ClassVar[str] = EventType.COMPANY_UPDATED.value

    company_id: int
    fields: list[str]
    deleted: bool = False


class TicketAttributesChanged(EventSchema):
    """A ticket's custom attributes changed (helpdesk.crm.attributes)."""

    type: ClassVar[str] = EventType.TICKET_ATTRIBUTES_CHANGED.value

    ticket_id: int
    fields: list[str]


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
    ContactCreated,
    TicketTeamChanged,
    CompanyUpdated,
    TicketAttributesChanged,
    TicketSplit,
    TicketReferred,
    TaskCreated,
    TaskUpdated,
    TaskReferred,
    TaskReminder,
    SurveyAnswered,
)

# SLA clocks and time rules: declared with their app (helpdesk.sla), listed with the core's.
from helpdesk.sla.event_schemas import SLA_SCHEMAS  # noqa: E402

CORE_SCHEMAS = (*CORE_SCHEMAS, *SLA_SCHEMAS)
