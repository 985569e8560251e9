"""Events are JSON-safe, typed, published only after commit, and committed in sequence order."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer
from channels_redis.serializers import registry as serializers
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from pydantic import ValidationError

from helpdesk import channels, events, publisher
from helpdesk.actions.tickets import do_set_priority, do_set_tags
from helpdesk.event_schemas import ContactUpdated, EventSchema, TicketTagsChanged
from helpdesk.models import Priority, Ticket, TicketEvent
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.event_samples import every_event

EVENTS = [pytest.param(event, id=event.type) for event in every_event()]


@pytest.mark.django_db
@pytest.mark.embedded
@pytest.mark.parametrize("sample", EVENTS)
def test_it_round_trips_every_event_through_json(sample: EventSchema, email_inbox_a: Any) -> None:
    ticket = open_ticket(email_inbox_a)
    event = events.record(sample, ticket=ticket, actor_id=None)
    frame = events.to_frame(event)
    assert json.loads(json.dumps(frame)) == frame
    # Catch-up reads the row back: it must give the very frame that went out live.
    assert events.to_frame(TicketEvent.objects.get(pk=event.pk)) == frame
    assert frame["seq"] == event.pk and frame["type"] == sample.type
    schema = events.schema_for(frame["type"])
    assert schema is type(sample)
    assert schema.model_validate(frame["data"]) == sample
    assert schema.model_validate(frame["data"]).model_dump(mode="json") == frame["data"]


@pytest.mark.django_db
@pytest.mark.embedded
@pytest.mark.parametrize("sample", EVENTS)
def test_it_round_trips_every_event_through_msgpack(
    sample: EventSchema, email_inbox_a: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    frame = events.to_frame(events.record(sample, ticket=ticket, actor_id=None))
    serializer = serializers.get_serializer("msgpack")
    message = {"type": "desk.event", "event": frame}
    assert serializer.deserialize(serializer.serialize(message)) == message


@pytest.mark.parametrize("sample", EVENTS)
def test_it_rejects_unknown_and_missing_fields(sample: EventSchema) -> None:
    data = sample.model_dump(mode="json")
    with pytest.raises(ValidationError):
        type(sample).model_validate({**data, "password": "x"})
    with pytest.raises(ValidationError):
        type(sample).model_validate(dict(list(data.items())[1:]))


@pytest.mark.django_db
@pytest.mark.embedded
def test_it_refuses_model_instances_in_payloads(email_inbox_a: Any) -> None:
    ticket = open_ticket(email_inbox_a)
    with pytest.raises(ValidationError):
        TicketTagsChanged.model_validate({"ticket_id": ticket, "tags": []})


def test_it_declares_each_event_type_once_with_its_schema() -> None:
    table = events.schemas()
    assert all(table[schema.type] is schema for schema in table.values())
    # The phone's call events come from its manifest, not from the core.
    assert {"call.ringing", "call.answered", "call.ended"} <= set(table)
    assert {t.value for t in events.EventType} == {
        t for t, s in table.items() if s.__module__ == "helpdesk.event_schemas"
    }
    with pytest.raises(LookupError):
        events.schema_for("no.such_event")


@pytest.mark.parametrize(
    "declared",
    [
        pytest.param("helpdesk.event_schemas.TicketCreated", id="a core type again"),
        pytest.param("helpdesk.event_schemas.EventType", id="not a schema"),
        pytest.param("helpdesk.event_schemas.EventSchema", id="no type"),
    ],
)
def test_it_refuses_a_channel_declaring_a_bad_schema(declared: str, monkeypatch: Any) -> None:
    monkeypatch.setattr(channels, "event_schema_paths", lambda: [declared])
    with pytest.raises(ImproperlyConfigured):
        events.schemas()


@pytest.mark.django_db
@pytest.mark.embedded
def test_it_refuses_an_event_no_installed_app_declares(email_inbox_a: Any) -> None:
    class Undeclared(EventSchema):
        type: ClassVar[str] = "undeclared.thing"

        ticket_id: int

    ticket = open_ticket(email_inbox_a)
    before = TicketEvent.objects.count()
    with pytest.raises(LookupError):
        events.record(Undeclared(ticket_id=ticket.pk), ticket=ticket, actor_id=None)
    assert TicketEvent.objects.count() == before


# --- through a real channel layer -------------------------------------------------

LAYERS = [
    pytest.param("memory", id="in-process"),
    pytest.param("redis", id="redis-pubsub", marks=pytest.mark.redis),
]


@pytest.fixture(params=LAYERS)
async def layer(request: Any, settings: Any) -> AsyncIterator[BaseChannelLayer]:
    if request.param == "memory":
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    found = get_channel_layer()
    assert found is not None
    yield found
    # The worker thread of database_sync_to_async keeps its own connection: close it
    # so the test database can be dropped.
    await database_sync_to_async(_close_this_threads_connection)()


def _close_this_threads_connection() -> None:
    connection.close()  # looked up in the calling thread: `connection` is per thread


async def _subscribe(layer: BaseChannelLayer, group: str) -> str:
    channel: str = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


@pytest.mark.django_db(transaction=True)
@pytest.mark.embedded
async def test_it_carries_every_event_through_the_layer_unchanged(
    layer: BaseChannelLayer, team_a: Any
) -> None:
    channel = await _subscribe(layer, f"team.{team_a.pk}")

    def record_all() -> list[dict[str, Any]]:
        with transaction.atomic():
            recorded = [
                events.record(sample, ticket=None, team_id=team_a.pk, actor_id=None)
                for sample in every_event()
            ]
        return [events.to_frame(event) for event in recorded]

    frames = await database_sync_to_async(record_all)()
    for frame in frames:  # one publisher, one group: the order is kept too
        received = await asyncio.wait_for(layer.receive(channel), timeout=10)
        assert received["type"] == "desk.event" and received["event"] == frame
        assert json.loads(received["text"]) == {"kind": "event", "event": frame}


@pytest.mark.django_db(transaction=True)
@pytest.mark.embedded
async def test_it_publishes_nothing_when_the_action_rolls_back(
    layer: BaseChannelLayer, email_inbox_a: Any, agent_a: Any
) -> None:
    ticket: Ticket = await database_sync_to_async(open_ticket)(email_inbox_a)
    await database_sync_to_async(publisher.flush)()  # the ticket's own events are out
    group = f"team.{ticket.team_id}"
    quiet, live = await _subscribe(layer, group), await _subscribe(layer, group)

    class Boom(Exception):
        pass

    def rolled_back() -> None:
        with transaction.atomic():
            do_set_priority(agent_a, ticket.pk, Priority.URGENT)
            do_set_tags(agent_a, ticket.pk, ["lost"])
            raise Boom

    with pytest.raises(Boom):
        await database_sync_to_async(rolled_back)()
    await database_sync_to_async(publisher.flush)()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(quiet), timeout=0.5)
    count = database_sync_to_async(
        TicketEvent.objects.filter(
            type__in=["ticket.priority_changed", "ticket.tags_changed"]
        ).count
    )
    assert await count() == 0

    await database_sync_to_async(do_set_priority)(agent_a, ticket.pk, Priority.HIGH)
    received = await asyncio.wait_for(layer.receive(live), timeout=10)
    assert received["event"]["type"] == "ticket.priority_changed"
    assert received["event"]["data"]["priority"] == Priority.HIGH
    assert await count() == 1


# --- sequence order == commit order (PostgreSQL) -------------------------------------


def _waiting_for_advisory_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        (waiting,) = cursor.fetchone()
    return bool(waiting)


def _wait_for_advisory_lock_wait() -> bool:
    for _ in range(300):
        if _waiting_for_advisory_lock():
            return True
        threading.Event().wait(0.05)
    return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_it_never_shows_a_reader_a_seq_before_a_smaller_one_commits(
    email_inbox_a: Any, agent_a: Any
) -> None:
    """A reader resuming after seq N must never later see a smaller seq appear.

    The first transaction records an event and stays open; a second one, on another
    ticket, records and commits a larger seq without waiting for it (writers do not
    queue behind each other). A catch-up read must wait for the first before it
    reads, and then sees both.
    """
    one, two = open_ticket(email_inbox_a), open_ticket(email_inbox_a)
    start = TicketEvent.objects.latest("id").pk
    recorded, release = threading.Event(), threading.Event()
    seqs: dict[str, int] = {}
    read: list[int] = []
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            with transaction.atomic():
                do_set_tags(agent_a, one.pk, ["slow"])
                seqs["slow"] = TicketEvent.objects.filter(ticket=one).latest("id").pk
                recorded.set()
                release.wait(timeout=30)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)
        finally:
            connection.close()

    def reader() -> None:
        try:
            with events.settled():
                read.extend(TicketEvent.objects.filter(id__gt=start).values_list("id", flat=True))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=slow)
    writer.start()
    assert recorded.wait(timeout=30)
    try:
        do_set_tags(agent_a, two.pk, ["fast"])  # commits while the slow one is open
        seqs["fast"] = TicketEvent.objects.filter(ticket=two).latest("id").pk
        assert seqs["fast"] > seqs["slow"]
        catch_up = threading.Thread(target=reader)
        catch_up.start()
        assert _wait_for_advisory_lock_wait(), "the reader did not wait for the open writer"
        assert not read
    finally:
        release.set()
    for thread in (writer, catch_up):
        thread.join(timeout=30)
    assert not errors, errors
    assert read == sorted(read)
    assert {seqs["slow"], seqs["fast"]} <= set(read)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_it_starts_pages_below_any_event_still_in_flight(email_inbox_a: Any, agent_a: Any) -> None:
    """The head a page (or a new webhook subscription) starts from waits for open writers."""
    one = open_ticket(email_inbox_a)
    recorded, release = threading.Event(), threading.Event()
    heads: list[int] = []
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            with transaction.atomic():
                do_set_tags(agent_a, one.pk, ["slow"])
                recorded.set()
                release.wait(timeout=30)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def head() -> None:
        try:
            heads.append(events.settled_head())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writer, reader = threading.Thread(target=slow), threading.Thread(target=head)
    writer.start()
    assert recorded.wait(timeout=30)
    try:
        reader.start()
        assert _wait_for_advisory_lock_wait(), "the head was read past an open writer"
        assert not heads
    finally:
        release.set()
    for thread in (writer, reader):
        thread.join(timeout=30)
    assert not errors, errors
    assert heads == [TicketEvent.objects.filter(ticket=one).latest("id").pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_takes_the_sequence_lock_once_per_transaction(team_a: Any) -> None:
    from django.test.utils import CaptureQueriesContext

    def record() -> None:
        events.record(
            ContactUpdated(contact_id=1, fields=["name"]),
            ticket=None,
            team_id=team_a.pk,
            actor_id=None,
        )

    def locks(ctx: CaptureQueriesContext) -> int:
        return sum("pg_advisory_xact_lock" in q["sql"] for q in ctx.captured_queries)

    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        record()
        record()  # held already
    assert locks(ctx) == 1
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        try:
            with transaction.atomic():
                record()  # locked inside a savepoint...
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
        record()  # ...which took the lock with it: lock again
        record()
    assert locks(ctx) == 2
