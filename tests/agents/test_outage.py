"""Issue 13.4: a Redis outage closes open agent sockets (4500) and resume repairs every gap.

The desk's fanout layer runs on a redis-server of the test's own, which is stopped
while two notes are added: their frames are lost, the socket says so, and the
catch-up after reconnecting returns exactly the events it missed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection

from agents.consumers import AgentConsumer
from helpdesk import publisher
from helpdesk.actions.messages import do_add_note
from helpdesk.fanout import CLOSE_INTERRUPTED
from helpdesk.ingest import receive
from helpdesk.models import TicketEvent
from tests import factories
from tests.redis_server import RedisServer, outage_layer, redis_server

__all__ = ["outage_layer", "redis_server"]  # fixtures

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10  # seconds: the layer's reader retries every second


@pytest.fixture
async def opened() -> AsyncIterator[list[WebsocketCommunicator]]:
    sockets: list[WebsocketCommunicator] = []
    yield sockets
    for socket in sockets:
        await socket.disconnect()
    await database_sync_to_async(lambda: connection.close())()


async def _connect(opened: list[WebsocketCommunicator], user: Any) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
    socket.scope["user"] = user
    connected, _code = await socket.connect(timeout=WAIT)
    assert connected
    opened.append(socket)
    assert (await socket.receive_json_from(timeout=WAIT))["kind"] == "hello"
    return socket


async def _frames_until(socket: WebsocketCommunicator, kind: str) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    while not frames or frames[-1]["kind"] != kind:
        frames.append(await socket.receive_json_from(timeout=WAIT))
    return frames


async def _note_frame(socket: WebsocketCommunicator, excerpt: str) -> dict[str, Any]:
    """The live frame of the note `excerpt`; other frames on the way (the ticket's own
    events, such as an automatic answer's delivery state) are passed over."""
    for _ in range(20):
        frame: dict[str, Any] = await socket.receive_json_from(timeout=WAIT)
        if frame["kind"] == "event" and frame["event"]["data"].get("excerpt") == excerpt:
            return frame
    raise AssertionError(f"no frame for the note {excerpt!r}")


def _notes(ticket_id: int, user: Any, *texts: str) -> None:
    for text in texts:
        do_add_note(user, ticket_id, text)
    publisher.flush()


async def test_it_closes_the_socket_in_an_outage_and_resume_returns_every_missed_event(
    outage_layer: RedisServer, agent_a: Any, email_inbox_a: Any, opened: list[Any]
) -> None:
    ticket_id = await database_sync_to_async(
        lambda: int(receive(factories.inbound(email_inbox_a)).ticket.pk)
    )()
    socket = await _connect(opened, agent_a)
    await database_sync_to_async(_notes)(ticket_id, agent_a, "before")
    live = await _note_frame(socket, "before")
    last_seq = live["event"]["seq"]

    outage_layer.stop()
    await database_sync_to_async(_notes)(ticket_id, agent_a, "lost 1", "lost 2")
    closed = await socket.receive_output(timeout=WAIT)
    assert closed == {"type": "websocket.close", "code": CLOSE_INTERRUPTED}

    outage_layer.start()
    again = await _connect(opened, agent_a)
    await again.send_json_to({"action": "resume", "after": last_seq})
    frames = await _frames_until(again, "resumed")
    missed = [f["event"] for f in frames if f["kind"] == "event"]
    stored = await database_sync_to_async(
        lambda: list(TicketEvent.objects.filter(id__gt=last_seq).values_list("id", flat=True))
    )()
    assert [e["seq"] for e in missed] == stored
    assert [e["data"]["excerpt"] for e in missed if e["type"] == "message.created"] == [
        "lost 1",
        "lost 2",
    ]
    assert frames[-1] == {"kind": "resumed", "count": len(stored), "complete": True}

    # Live frames flow again on the new socket.
    await database_sync_to_async(_notes)(ticket_id, agent_a, "after")
    await _note_frame(again, "after")
