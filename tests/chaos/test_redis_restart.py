"""Chaos 4: the Redis of the channel layer stopped and started again while an agent's
socket is open on a real web process (uvicorn on config.asgi).

All writes go through the API to that process, so the publisher, the layer and
the socket are the production ones. While Redis is down two notes are added:
the server closes the socket with 4500, the client reconnects once Redis is
back, resumes from its last sequence number, and has then seen every stored
event exactly once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from django.test import Client
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from helpdesk.fanout import CLOSE_INTERRUPTED
from helpdesk.models import Ticket, TicketEvent
from tests import factories
from tests.chaos.processes import WebProcess
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.chaos, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 15.0  # seconds: the layer's reader retries every second
RECONNECTS = 60  # attempts, 0.25 s apart, while Redis comes back


def _socket(sockets: ExitStack, web: WebProcess, session: str) -> ClientConnection:
    """The inbox's socket, as a browser logged in as the agent opens it."""
    ws = sockets.enter_context(
        connect(
            web.url.replace("http", "ws", 1) + "/ws/agent/",
            additional_headers={"Cookie": f"sessionid={session}", "Origin": web.url},
            open_timeout=WAIT,
        )
    )
    hello = _json(ws.recv(WAIT))
    assert hello["kind"] == "hello", hello
    return ws


def _json(raw: str | bytes) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(raw)
    return frame


def _frames_until(ws: ClientConnection, done: Any) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    deadline = time.monotonic() + WAIT
    while not frames or not done(frames[-1]):
        frames.append(_json(ws.recv(max(deadline - time.monotonic(), 0.01))))
    return frames


def _seqs(frames: list[dict[str, Any]]) -> list[int]:
    return [f["event"]["seq"] for f in frames if f["kind"] == "event" and f["event"]["seq"]]


def _is_note(text: str) -> Any:
    return lambda f: f["kind"] == "event" and f["event"]["data"].get("excerpt") == text


def _reconnect_and_resume(
    sockets: ExitStack, web: WebProcess, session: str, after: int
) -> tuple[ClientConnection, list[dict[str, Any]]]:
    """What socket.js does after a close: reconnect (with a pause) and resume from `after`;
    a socket closed again before the catch-up ends starts over."""
    for _ in range(RECONNECTS):
        try:
            ws = _socket(sockets, web, session)
            ws.send(json.dumps({"action": "resume", "after": after}))
            return ws, _frames_until(ws, lambda f: f["kind"] == "resumed")
        except (OSError, InvalidStatus, ConnectionClosed):
            time.sleep(0.25)
    raise AssertionError(f"no resumed socket after {RECONNECTS} attempts:\n{web.output()}")


@pytest.fixture
def sockets() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def test_a_redis_restart_closes_the_socket_and_resume_shows_every_event(
    sockets: ExitStack,
    web: WebProcess,
    redis_server: RedisServer,
    mail_ticket: Ticket,
    chaos_agent: Any,
) -> None:
    django_client = Client()
    django_client.force_login(chaos_agent)
    session = django_client.cookies["sessionid"].value
    api = httpx.Client(
        base_url=web.url,
        headers={"Authorization": f"Bearer {factories.make_token(chaos_agent)}"},
        timeout=WAIT,
    )
    notes = f"/api/v1/tickets/{mail_ticket.pk}/notes"
    first_seq = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    ws = _socket(sockets, web, session)
    assert api.post(notes, json={"text": "before"}).status_code == 201
    seen = _seqs(_frames_until(ws, _is_note("before")))

    redis_server.stop()
    with pytest.raises(ConnectionClosed) as closed:
        _frames_until(ws, lambda _f: False)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_INTERRUPTED
    for text in ("lost 1", "lost 2"):  # stored; their live frames cannot be sent
        assert api.post(notes, json={"text": text}).status_code == 201

    redis_server.start()
    again, resumed = _reconnect_and_resume(sockets, web, session, after=seen[-1])
    seen += _seqs(resumed)
    assert api.post(notes, json={"text": "after"}).status_code == 201
    seen += _seqs(_frames_until(again, _is_note("after")))
    api.close()

    stored = list(
        TicketEvent.objects.filter(id__gt=first_seq).order_by("id").values_list("id", flat=True)
    )
    assert seen == stored  # every event, once, in order
    assert resumed[-1] == {"kind": "resumed", "count": 2, "complete": True}
    assert len(stored) == 4
