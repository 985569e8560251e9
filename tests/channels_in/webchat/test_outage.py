"""Issue 13.4: a Redis outage closes the visitor's socket (4500) so the widget reloads history."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.fanout import CLOSE_INTERRUPTED
from tests.redis_server import RedisServer, outage_layer, redis_server

__all__ = ["outage_layer", "redis_server"]  # fixtures

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_closes_the_visitor_socket_when_redis_goes_away(
    outage_layer: RedisServer, visitors: Any, chat_a: Any
) -> None:
    visitor = visitors(chat_a.public_key)
    assert await visitor.connect()
    assert (await visitor.hello())["type"] == "ready"
    outage_layer.stop()
    closed = await visitor.comm.receive_output(timeout=10)
    assert closed == {"type": "websocket.close", "code": CLOSE_INTERRUPTED}
