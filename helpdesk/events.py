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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from helpdesk import channels
from helpdesk.event_schemas import CORE_SCHEMAS, EventSchema
from helpdesk.event_schemas import EventType as EventType  # re-exported for callers
from helpdesk.models import Ticket, TicketEvent
from helpdesk.publisher import background_publisher, interrupt_local_sockets

logger = logging.getLogger(__name__)


# --- the schema table: the core's schemas and the installed channels' ----------------
# Keyed by the channels' declared paths, so installing a channel in a test (and
# calling channels.reset()) gives a fresh table without a reset of its own.
_tables: dict[tuple[str, ...], dict[str, type[EventSchema]]] = {}


def schemas() -> dict[str, type[EventSchema]]:
    """type -> schema of every event: the core's plus those installed channels declare."""
    paths = tuple(channels.event_schema_paths())
    table = _tables.get(paths)
    if table is None:
        table = _build_table(paths)
        _tables.clear()
        _tables[paths] = table
    return table


def _build_table(paths: tuple[str, ...]) -> dict[str, type[EventSchema]]:
    table: dict[str, type[EventSchema]] = {}
    for schema in (*CORE_SCHEMAS, *(import_string(path) for path in paths)):
        if not (isinstance(schema, type) and issubclass(schema, EventSchema)):
            raise ImproperlyConfigured(f"{schema!r} is not an EventSchema")
        type_ = getattr(schema, "type", None)
        if not type_:
            raise ImproperlyConfigured(f"{schema.__qualname__} declares no event type")
        if type_ in table:
            raise ImproperlyConfigured(f"event type {type_!r} is declared twice")
        table[type_] = schema
    return table


def schema_for(type_: str) -> type[EventSchema]:
    """The schema of event `type_`; LookupError when no installed part declares it."""
    try:
        return schemas()[type_]
    except KeyError:
        raise LookupError(f"no installed schema for event type {type_!r}") from None


@dataclass(frozen=True, slots=True)
class Pending:
    """An event to record: what `record` takes, for recording several at once."""

    event: EventSchema
    ticket: Ticket | None
    actor_id: int | None
    team_id: int | None = None
    extra_groups: tuple[str, ...] = ()


def record(
    event: EventSchema,
    *,
    ticket: Ticket | None,
    actor_id: int | None,
    team_id: int | None = None,
    extra_groups: tuple[str, ...] = (),
) -> TicketEvent:
    """Store the event (its schema's model, validated when it was built) and publish it
    on commit. `team_id` is only read when there is no ticket."""
    return record_many([Pending(event, ticket, actor_id, team_id, extra_groups)])[0]


def record_many(pending: Sequence[Pending]) -> list[TicketEvent]:
    """`record` for several events: one insert, sequence numbers in the given order.

    The models were validated when they were built: here they are only dumped to
    JSON (ingest records a batch's events through this, so no second validation).
    """
    _check_declared(pending)
    now = timezone.now()
    rows = [
        TicketEvent(
            ticket=p.ticket,
            team_id=p.ticket.team_id if p.ticket is not None else p.team_id,
            type=p.event.type,
            actor_id=p.actor_id,
            payload=p.event.model_dump(mode="json"),
            created_at=now,
        )
        for p in pending
    ]
    with transaction.atomic(savepoint=False):
        _serialize_sequence()
        TicketEvent.objects.bulk_create(rows)
    frames = [
        (groups_for(event) + list(p.extra_groups), to_frame(event))
        for p, event in zip(pending, rows, strict=True)
    ]
    # One callback for the call's frames, not one per event: the hooks below find
    # their once-per-transaction marker by walking the on-commit list, which a
    # batch of 200 mails (~420 events) made quadratic (issue 22's import profile).
    transaction.on_commit(partial(_publish_all, frames), robust=True)
    for event in rows:
        for hook in recorded_hooks:
            hook(event)
    return rows


def _publish_all(frames: list[tuple[list[str], dict[str, Any]]]) -> None:
    """Publish a transaction's frames in sequence order (`publish` never raises)."""
    for groups, frame in frames:
        publish(groups, frame)


def _check_declared(pending: Sequence[Pending]) -> None:
    """Every event's schema is the one its type is declared with (a channel that forgot
    to list a schema in its manifest fails here, not in a client's catch-up)."""
    table = schemas()
    for p in pending:
        if table.get(p.event.type) is not type(p.event):
            raise LookupError(f"event type {p.event.type!r} is not declared by an installed app")


# Called inside the recording transaction for every event (automation rules
# that react to agent replies and status changes register here).
recorded_hooks: list[Callable[[TicketEvent], None]] = []


# Catch-up returns events with `seq > after`, which is only safe if no event with
# a smaller seq can still commit later. PostgreSQL hands out ids at INSERT, so two
# transactions can commit out of order (T1 draws 104, T2 draws 105, T2 commits
# first). Writers take this transaction-scoped advisory lock in SHARED mode before
# the id is drawn and hold it until commit or rollback: writers never wait for each
# other (their commits, fsync included, overlap: the desk-wide exclusive lock this
# replaced made every commit wait for the one before it, capping ingest at one
# fsync per message). Readers of the log by sequence go through `settled()`, which
# takes the same key EXCLUSIVELY: that waits until every writer that may have drawn
# an id has finished, so what the reader sees after it has no hole that can fill in
# later. (SQLite has one writer at a time, which gives the same guarantee.)
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
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [SEQUENCE_LOCK_KEY])

    def held() -> None:
        """Marks the sequence lock as taken in this transaction."""

    connection._helpdesk_sequence_marker = held
    transaction.on_commit(held)


@contextmanager
def settled() -> Iterator[None]:
    """Read the event log by sequence inside this block: no smaller seq appears later.

    On PostgreSQL the block first waits for every event-writing transaction in
    flight to commit or roll back; new writers wait until the block's transaction
    ends (the block is one when called outside a transaction), so keep it short.
    Statements in it see every event with a seq up to the largest they see
    (READ COMMITTED: each statement takes its snapshot after the lock).
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        yield
        return
    if connection.in_atomic_block:  # held to the end of the caller's transaction
        _wait_for_writers(connection)
        yield
        return
    with transaction.atomic():
        _wait_for_writers(connection)
        yield


def _wait_for_writers(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCE_LOCK_KEY])


def settled_head() -> int:
    """The largest seq below which every event has committed: where a client starts."""
    with settled():
        return int(TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0)


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
    message: dict[str, Any]
    if CONTROL_KEY in frame:  # for the consumers themselves (control_message), not clients
        message = {"type": frame[CONTROL_KEY], "data": frame.get("data", {})}
    else:
        # The agent socket's frame, serialized once here instead of once per socket.
        text = json.dumps({"kind": "event", "event": frame}, ensure_ascii=False)
        message = {"type": "desk.event", "event": frame, "text": text}
    for group in dict.fromkeys(groups):
        await layer.group_send(group, message)


# A control message tells consumers to do something (e.g. re-check access); it is
# no frame for clients: its layer type is not "desk.event", so a FrameWriter never
# writes it to a socket and the consumer's own handler runs (docs/inbox.md).
CONTROL_KEY = "control"


def control_message(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    """What `publish` sends as a layer message of `type_` (a consumer handler) with `data`."""
    return {CONTROL_KEY: type_, "seq": None, "data": data}


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
        interrupt_local_sockets()  # so they resume (docs/architecture.md)


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
        interrupt_local_sockets()  # so they resume (docs/architecture.md)
