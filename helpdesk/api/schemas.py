"""Response shapes of the JSON API (what the OpenAPI document describes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from helpdesk.sla.api import SlaOut


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class Ref(Schema):
    """A related object: its id and a human name."""

    id: int
    name: str


class TeamOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str | None
    teams: list[TeamOut]
    language: str
    time_zone: str


class TicketOut(Schema):
    id: int
    number: int
    subject: str
    status: str
    priority: int
    tags: list[str]
    channel: str
    inbox: Ref
    team: Ref | None
    assignee: Ref | None
    contact: Ref
    snoozed_until: datetime | None
    merged_into: int | None
    last_message_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    sla: SlaOut


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class AuthorOut(Schema):
    kind: str
    id: int | None
    name: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str


class RefusedAttachmentOut(Schema):
    """A file the desk did not store (e.g. over HELPDESK_ATTACHMENT_MAX_BYTES)."""

    name: str
    size: int | None
    reason: str


class MessageOut(Schema):
    id: int
    ticket_id: int
    direction: str
    author: AuthorOut
    subject: str
    text: str
    html: str
    delivery_status: str
    delivery_error: str
    delivery_attempts: int
    attachments: list[AttachmentOut]
    refused_attachments: list[RefusedAttachmentOut]
    channel_meta: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None


class TicketDetailOut(TicketOut):
    follows_up: int | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    last_customer_message_at: datetime | None
    last_agent_message_at: datetime | None
    messages: list[MessageOut]


class IdentityOut(Schema):
    kind: str
    address: str
    display_name: str
    # Why the desk cannot reach the contact there (e.g. the bot was blocked); "" if it can.
    unreachable_reason: str


class ContactOut(Schema):
    id: int
    name: str
    language: str
    preferred_channel: str
    identities: list[IdentityOut]
    company_id: int | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class ContactDetailOut(ContactOut):
    notes: str
    custom_attributes: dict[str, Any]
    merged_into: int | None
    tickets: list[TicketOut]


class EventFrame(Schema):
    """Exactly the frame helpdesk.events.to_frame builds (live and catch-up alike)."""

    seq: int
    type: str
    ticket_id: int | None
    team_id: int | None
    actor_id: int | None
    at: str
    data: dict[str, Any]


class EventPage(Schema):
    items: list[EventFrame]
    # The seq to pass as `after` next time (the last item's, or `after` itself).
    last_seq: int
    has_more: bool
