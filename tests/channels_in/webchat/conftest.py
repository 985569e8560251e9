"""Fixtures for the live chat: a webchat inbox and visitor sockets."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from channels_in.webchat import limits, live
from channels_in.webchat.models import WebchatConfig
from tests import factories

WAIT = 5  # seconds a test waits for an expected frame before failing


@pytest.fixture
def webchat_inbox_a(team_a: Any) -> Any:
    return factories.make_inbox(team_a, "webchat", name="Site chat A")


@pytest.fixture
def webchat_inbox_b(team_b: Any) -> Any:
    return factories.make_inbox(team_b, "webchat", name="Site chat B")


@pytest.fixture
def chat_a(webchat_inbox_a: Any) -> WebchatConfig:
    """The widget settings of team A's chat inbox, embeddable on shop.example.com."""
    config = WebchatConfig.objects.select_related("inbox").get(inbox=webchat_inbox_a)
    config.allowed_origins = "https://shop.example.com\n*.example.org"
    config.save()
    return config


@pytest.fixture
def chat_b(webchat_inbox_b: Any) -> WebchatConfig:
    return WebchatConfig.objects.select_related("inbox").get(inbox=webchat_inbox_b)


@pytest.fixture(autouse=True)
def _fresh_flood_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test counts new conversations and uploads in windows no other test or run used.

    The counters live in the shared cache (Redis when REDIS_URL is set), which
    outlives a test; a pinned, random day keeps the flood limits' windows apart.
    """
    start = 4_000_000_000 + secrets.randbelow(10**6) * 86_400
    monkeypatch.setattr(limits, "clock", lambda: float(start))


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limit's minute window stays put for the whole test."""
    monkeypatch.setattr(live, "clock", lambda: 1_800_000_000.0 + 5)


class Visitor:
    """A widget's socket, driven by a test."""

    def __init__(self, public_key: str, origin: str | None = "https://shop.example.com") -> None:
        from config.asgi import application

        headers = [(b"host", b"testserver")]
        if origin is not None:
            headers.append((b"origin", origin.encode()))
        self.comm = WebsocketCommunicator(application, f"/ws/chat/{public_key}/", headers=headers)
        self.seen: list[dict[str, Any]] = []

    async def connect(self) -> bool:
        connected, _code = await self.comm.connect(timeout=WAIT)
        return bool(connected)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.comm.send_json_to(frame)

    async def next(self) -> dict[str, Any]:
        frame: dict[str, Any] = await self.comm.receive_json_from(timeout=WAIT)
        self.seen.append(frame)
        return frame

    async def until(self, type_: str) -> dict[str, Any]:
        """Read frames until one of `type_` arrives (others are kept in `seen`)."""
        while True:
            frame = await self.next()
            if frame["type"] == type_:
                return frame

    async def hello(self, **fields: Any) -> dict[str, Any]:
        await self.send({"type": "hello", **fields})
        return await self.next()

    async def say(self, text: str, client_id: str = "client-0001") -> dict[str, Any]:
        await self.send({"type": "message", "client_id": client_id, "text": text})
        return await self.until("ack")

    async def silent(self) -> bool:
        return bool(await self.comm.receive_nothing(timeout=0.3))

    async def close(self) -> None:
        await self.comm.disconnect()


@pytest.fixture
async def visitors() -> AsyncIterator[Any]:
    """visitors(public_key, origin=...) -> a connected-or-refused Visitor; all closed after."""
    opened: list[Visitor] = []

    def _make(public_key: str, origin: str | None = "https://shop.example.com") -> Visitor:
        visitor = Visitor(public_key, origin)
        opened.append(visitor)
        return visitor

    yield _make
    for visitor in opened:
        with contextlib.suppress(Exception):  # already closed by the server
            await visitor.close()
    # The consumers' database thread keeps a connection that would block the
    # test database's teardown on PostgreSQL.
    await sync_to_async(connections.close_all)()
