"""Typed, JSON-safe events: recorded by actions, published only after commit.

Every event is a TicketEvent row (the audit log; its id is the sequence number
clients resume from) and a frame sent to narrow channel-layer groups once the
transaction that produced it has committed. Nothing else calls group_send.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from helpdesk.models import Ticket, TicketEvent
from helpdesk.publisher import background_publisher

logger = logging.getLogger(__name__)


class EventType(StrEnum):
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
    CALL_RINGING = "call.ringing"
    CALL_ANSWERED = "call.answered"
    CALL_ENDED = "call.ended"


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TicketCreated(_Schema):
    ticket_id: int
    subject: str
    contact_id: int
    contact_name: str
    inbox_id: int
    channel: str
    status: str
    priority: int
    follows_up: int | None = None


class MessageCreated(_Schema):
    ticket_id: int
    message_id: int
    direction: str
    author_kind: str
    author_id: int | None
    channel: str
    excerpt: str
    delivery_status: str
    created_at: datetime


class MessageDelivery(_Schema):
    ticket_id: int
    message_id: int
    delivery_status: str
    error: str
    attempts: int


class MessageUpdated(_Schema):
    """A stored customer message changed: edited on its channel, or its files arrived."""

    ticket_id: int
    message_id: int
    excerpt: str
    edited: bool
    attachments: int


class TicketAssigned(_Schema):
    ticket_id: int
    assignee_id: int | None
    previous_assignee_id: int | None


class TicketStatusChanged(_Schema):
    ticket_id: int
    status: str
    previous_status: str
    snoozed_until: datetime | None = None


class TicketPriorityChanged(_Schema):
    ticket_id: int
    priority: int
    previous_priority: int


class TicketTagsChanged(_Schema):
    ticket_id: int
    tags: list[str]


class TicketMerged(_Schema):
    ticket_id: int
    merged_into: int
    moved_messages: int


class ContactMerged(_Schema):
    contact_id: int
    merged_into: int


class ContactUpdated(_Schema):
    contact_id: int
    fields: list[str]


class TicketTeamChanged(_Schema):
    ticket_id: int
    team_id: int | None
    previous_team_id: int | None


class CallTicket(_Schema):
    id: int
    subject: str
    status: str


class CallContactPoint(_Schema):
    channel: str
    ticket_id: int
    at: datetime


class CallEvent(_Schema):
    """A call's state for the live pop-up, with the caller's card (computed by the action)."""

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


SCHEMAS: dict[EventType, type[_Schema]] = {
    EventType.TICKET_CREATED: TicketCreated,
    EventType.MESSAGE_CREATED: MessageCreated,
    EventType.MESSAGE_DELIVERY: MessageDelivery,
    EventType.MESSAGE_UPDATED: MessageUpdated,
    EventType.TICKET_ASSIGNED: TicketAssigned,
    EventType.TICKET_STATUS_CHANGED: TicketStatusChanged,
    EventType.TICKET_PRIORITY_CHANGED: TicketPriorityChanged,
    EventType.TICKET_TAGS_CHANGED: TicketTagsChanged,
    EventType.TICKET_MERGED: TicketMerged,
    EventType.CONTACT_MERGED: ContactMerged,
    EventType.CONTACT_UPDATED: ContactUpdated,
    EventType.TICKET_TEAM_CHANGED: TicketTeamChanged,
    EventType.CALL_RINGING: CallEvent,
    EventType.CALL_ANSWERED: CallEvent,
    EventType.CALL_ENDED: CallEvent,
}


@dataclass(frozen=True, slots=True)
class Pending:
    """An event to record: what `record` takes, for recording several at once."""

    type_: EventType
    ticket: Ticket | None
    actor_id: int | None
    data: dict[str, Any]
    team_id: int | None = None
    extra_groups: tuple[str, ...] = ()


def record(
    type_: EventType,
    *,
    ticket: Ticket | None,
    actor_id: int | None,
    data: dict[str, Any],
    team_id: int | None = None,
    extra_groups: tuple[str, ...] = (),
) -> TicketEvent:
    """Validate `data` against the event's schema, store it, and publish it on commit."""
    return record_many([Pending(type_, ticket, actor_id, data, team_id, extra_groups)])[0]


def record_many(pending: Sequence[Pending]) -> list[TicketEvent]:
    """`record` for several events: one insert, sequence numbers in the given order."""
    now = timezone.now()
    rows = [
        TicketEvent(
            ticket=p.ticket,
            team_id=p.ticket.team_id if p.ticket is not None else p.team_id,
            type=p.type_.value,
            actor_id=p.actor_id,
            payload=SCHEMAS[p.type_].model_validate(p.data).model_dump(mode="json"),
            created_at=now,
        )
        for p in pending
    ]
    with transaction.atomic(savepoint=False):
        _serialize_sequence()
        TicketEvent.objects.bulk_create(rows)
    for p, event in zip(pending, rows, strict=True):
        frame = to_frame(event)
        groups = groups_for(event) + list(p.extra_groups)
        transaction.on_commit(partial(publish, groups, frame), robust=True)
    for event in rows:
        for hook in recorded_hooks:
            hook(event)
    return rows


# Called inside the recording transaction for every event (automation rules
# that react to agent replies and status changes register here).
recorded_hooks: list[Callable[[TicketEvent], None]] = []


# Catch-up returns events with `seq > after`, which is only safe if no event with
# a smaller seq can still commit later. PostgreSQL hands out ids at INSERT, so two
# transactions could commit out of order and a reader could skip the slower one
# for good. This transaction-scoped advisory lock, taken before the id is drawn
# and held until commit or rollback, makes commit order equal to seq order.
# (SQLite has one writer at a time, which gives the same guarantee.)
SEQUENCE_LOCK_KEY = 0x4844_5345_5100  # "HDSEQ": one app-wide key


def _serialize_sequence() -> None:
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    # Once per transaction: a marker callback sits in Django's on-commit list
    # while the lock is held. Commit or rollback empties the list, and rolling
    # back a savepoint drops its callbacks as PostgreSQL drops its locks.
    marker = getattr(connection, "_helpdesk_sequence_marker", None)
    if marker is not None and any(entry[1] is marker for entry in connection.run_on_commit):
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCE_LOCK_KEY])

    def held() -> None:
        """Marks the sequence lock as taken in this transaction."""

    connection._helpdesk_sequence_marker = held  # type: ignore[attr-defined]
    transaction.on_commit(held)


def to_frame(event: TicketEvent) -> dict[str, Any]:
    """The JSON shape clients receive, live or from catch-up."""
    return {
        "seq": event.pk,
        "type": event.type,
        "ticket_id": event.ticket_id,
        "team_id": event.team_id,
        "actor_id": event.actor_id,
        "at": event.created_at.isoformat(),
        "data": event.payload,
    }


def groups_for(event: TicketEvent) -> list[str]:
    groups = [f"team.{event.team_id}" if event.team_id else "team.none"]
    if event.ticket_id:
        groups.append(f"ticket.{event.ticket_id}")
    for key in ("assignee_id", "previous_assignee_id"):
        agent_id = event.payload.get(key)
        if agent_id:
            groups.append(f"agent.{agent_id}")
    return groups


# The run command serves everything from one process with the in-process layer,
# whose queues belong to the server's event loop. Threads (task worker, mail
# listener) hand their sends to that loop instead of starting loops of their own.
_server_loop: asyncio.AbstractEventLoop | None = None
_server_loop_lock = threading.Lock()


def set_server_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    global _server_loop
    with _server_loop_lock:
        _server_loop = loop


async def _send_all(groups: list[str], frame: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # The agent socket's frame, serialized once here instead of once per socket.
    text = json.dumps({"kind": "event", "event": frame}, ensure_ascii=False)
    message = {"type": "desk.event", "event": frame, "text": text}
    for group in dict.fromkeys(groups):
        await layer.group_send(group, message)


class Ephemeral(StrEnum):
    """Frames that are not stored and never caught up: they only matter while they happen."""

    TYPING = "typing"
    VIEWING = "viewing"
    PRESENCE = "presence"


def ephemeral_frame(type_: Ephemeral, data: dict[str, Any]) -> dict[str, Any]:
    """A frame without a sequence number (clients do not resume from it)."""
    return {"seq": None, "type": type_.value, "at": timezone.now().isoformat(), "data": data}


async def apublish(groups: list[str], frame: dict[str, Any]) -> None:
    """`publish` for async callers (consumers); at-most-once like it."""
    try:
        await _send_all(groups, frame)
    except Exception:
        logger.exception("publishing frame %s failed", frame.get("type"))


def publish(groups: list[str], frame: dict[str, Any]) -> None:
    """Send `frame` to `groups`; delivery is at-most-once, repaired by catch-up."""
    loop = _server_loop
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    layer = get_channel_layer()
    try:
        if not isinstance(layer, InMemoryChannelLayer):
            # Redis: one long-lived loop and connection, frames sent in commit order.
            background_publisher(_send_all).submit(groups, frame)
        elif not any(layer.groups.get(g) for g in groups):
            # Nobody in this process listens to these groups (e.g. `import_mail`):
            # starting an event loop per event would only cost time.
            return
        elif loop is not None and loop.is_running() and running is not loop:
            future = asyncio.run_coroutine_threadsafe(_send_all(groups, frame), loop)
            future.result(timeout=5)
        else:
            async_to_sync(_send_all)(groups, frame)
    except Exception:
        # Clients repair a lost frame from the event log; never fail the caller.
        logger.exception("publishing event %s failed", frame.get("seq"))
