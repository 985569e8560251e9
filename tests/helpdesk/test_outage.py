"""helpdesk.fanout tells local consumers when frames may be lost, on a redis-server of our own."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from channels.layers import get_channel_layer

from helpdesk import publisher
from helpdesk.fanout import INTERRUPTED
from tests.redis_server import RedisServer, outage_layer, redis_server

__all__ = ["outage_layer", "redis_server"]  # fixtures

WAIT = 10  # seconds: the reader retries every second


async def _after_interruptions(layer: Any, channel: str) -> dict[str, Any]:
    """The first message past the interruptions (a kill may show as loss and reconnect)."""
    message: dict[str, Any] = await asyncio.wait_for(layer.receive(channel), WAIT)
    while message == {"type": INTERRUPTED}:
        message = await asyncio.wait_for(layer.receive(channel), WAIT)
    return message


async def _once_back(layer: Any, channel: str) -> dict[str, Any]:
    """Send until the reader (reconnecting with redis-py's backoff) hands a frame on."""
    for _ in range(WAIT * 2):
        await layer.group_send("team.1", {"type": "desk.event", "text": "after"})
        try:
            message: dict[str, Any] = await asyncio.wait_for(layer.receive(channel), 0.5)
        except TimeoutError:
            continue
        return message
    raise AssertionError("the layer never delivered again")


async def _member(layer: Any) -> str:
    channel: str = await layer.new_channel()
    await layer.group_add("team.1", channel)
    return channel


async def test_it_interrupts_local_consumers_when_redis_goes_away(
    outage_layer: RedisServer,
) -> None:
    layer = get_channel_layer()
    channels = [await _member(layer) for _ in range(2)]
    try:
        outage_layer.stop()
        for channel in channels:
            message = await asyncio.wait_for(layer.receive(channel), WAIT)
            assert message == {"type": INTERRUPTED}
        outage_layer.start()
        # Once the reader is back (subscriptions restored) frames flow again, and
        # nobody is interrupted twice for one outage.
        first = await _once_back(layer, channels[0])
        assert first["text"] == "after"
        message = await asyncio.wait_for(layer.receive(channels[1]), WAIT)
        assert message["text"] == "after"
    finally:
        await layer.flush()


async def test_it_interrupts_them_when_the_reader_reconnects_by_itself(
    outage_layer: RedisServer,
) -> None:
    # Redis drops the subscriber connection; redis-py reconnects inside its own
    # retry, so no error reaches the reader: only the reconnect shows the gap.
    layer = get_channel_layer()
    channel = await _member(layer)
    try:
        killed = await asyncio.to_thread(outage_layer.client().client_kill_filter, _type="pubsub")
        assert killed >= 1
        message = await asyncio.wait_for(layer.receive(channel), WAIT)
        assert message == {"type": INTERRUPTED}
        await layer.group_send("team.1", {"type": "desk.event", "text": "after"})
        assert (await _after_interruptions(layer, channel))["text"] == "after"
    finally:
        await layer.flush()


async def test_it_interrupts_them_when_a_publish_of_another_thread_failed(
    outage_layer: RedisServer,
) -> None:
    # The background publisher runs its own loop in a thread; its failed send
    # reaches the consumers of the server's loop.
    layer = get_channel_layer()
    channel = await _member(layer)
    try:
        thread = threading.Thread(target=publisher.interrupt_local_sockets)
        thread.start()
        thread.join()
        message = await asyncio.wait_for(layer.receive(channel), WAIT)
        assert message == {"type": INTERRUPTED}
    finally:
        await layer.flush()
