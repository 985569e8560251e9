"""helpdesk.fanout: group frames written straight to local sockets, in order, bounded."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

from helpdesk import fanout
from helpdesk.fanout import FanoutPubSubChannelLayer, FrameWriter
from helpdesk.fanout_memory import FanoutMemoryChannelLayer

pytestmark = pytest.mark.embedded


class FakeSocket:
    """An ASGI send that records frames; `slow` makes each write wait until `go` is set."""

    def __init__(self, slow: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.slow = slow
        self.go = asyncio.Event()

    async def __call__(self, message: dict[str, Any]) -> None:
        if self.slow:
            await self.go.wait()
        self.sent.append(message)

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.sent if m["type"] == "websocket.send"]


def event(text: str) -> dict[str, Any]:
    return {"type": "desk.event", "event": {}, "text": text}


async def test_it_writes_nothing_before_release_then_everything_in_order() -> None:
    socket = FakeSocket()
    writer = FrameWriter(socket, "desk.event")
    assert writer(event("1")) and writer(event("2"))
    assert socket.sent == []
    writer.release()
    writer(event("3"))
    assert socket.texts == ["1", "2", "3"]  # written at once: no task was scheduled


async def test_it_holds_live_frames_behind_a_catch_up() -> None:
    socket = FakeSocket()
    writer = FrameWriter(socket, "desk.event")
    writer.release()
    writer.hold()
    writer(event("live"))
    await socket({"type": "websocket.send", "text": "caught up"})
    writer.release()
    assert socket.texts == ["caught up", "live"]


async def test_it_keeps_order_behind_a_client_that_reads_slowly() -> None:
    socket = FakeSocket(slow=True)
    writer = FrameWriter(socket, "desk.event")
    writer.release()
    for text in ("1", "2", "3"):
        writer(event(text))
    assert socket.sent == []
    socket.go.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert socket.texts == ["1", "2", "3"]


async def test_it_declines_other_messages_and_frames_without_text() -> None:
    writer = FrameWriter(FakeSocket(), "desk.event")
    assert not writer({"type": "chat.message", "text": "x"})
    assert not writer({"type": "desk.event", "event": {}})


async def test_it_closes_a_socket_that_falls_too_far_behind(monkeypatch: Any) -> None:
    monkeypatch.setattr(fanout, "BACKLOG_LIMIT", 3)
    socket = FakeSocket()
    writer = FrameWriter(socket, "desk.event")  # held: nothing is written
    for text in ("1", "2", "3", "4"):
        writer(event(text))
    assert socket.sent == [{"type": "websocket.close", "code": 1013}]
    writer.release()
    writer(event("5"))
    assert socket.texts == []


async def test_it_stops_writing_to_a_socket_that_is_gone() -> None:
    calls = 0

    async def gone(message: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        raise ConnectionResetError

    writer = FrameWriter(gone, "desk.event")
    writer.release()
    writer(event("1"))
    writer(event("2"))
    assert calls == 1 and writer.closed


@pytest.mark.redis  # deselected without the Redis layer (tests/conftest.py)
async def test_it_hands_a_group_message_to_writers_and_queues_the_rest() -> None:
    prefix = os.environ.get("CHANNEL_LAYER_PREFIX", "helpdesk") + "-fanout-test"
    layer = FanoutPubSubChannelLayer(hosts=[os.environ["REDIS_URL"]], prefix=prefix)
    written, queued, outsider = [await layer.new_channel() for _ in range(3)]
    for channel in (written, queued):
        await layer.group_add("team.1", channel)
    await layer.group_add("team.2", outsider)
    socket = FakeSocket()
    writer = FrameWriter(socket, "desk.event")
    writer.release()
    layer.attach_writer(written, writer)
    try:
        await layer.group_send("team.1", event("frame"))
        message = await asyncio.wait_for(layer.receive(queued), timeout=5)
        assert message["text"] == "frame"
        assert socket.texts == ["frame"]
        # Another type goes to the queue even where a writer is attached.
        await layer.group_send("team.1", {"type": "other.thing", "text": "x"})
        message = await asyncio.wait_for(layer.receive(written), timeout=5)
        assert message["type"] == "other.thing"
        assert socket.texts == ["frame"]
        # A channel outside the group gets nothing.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(outsider), timeout=0.3)
        layer.detach_writer(written)
        await layer.group_send("team.1", event("after"))
        message = await asyncio.wait_for(layer.receive(written), timeout=5)
        assert message["text"] == "after" and socket.texts == ["frame"]
    finally:
        await layer.flush()


async def test_it_hands_an_in_process_group_message_to_writers_and_queues_the_rest() -> None:
    layer = FanoutMemoryChannelLayer()
    written, queued, outsider = [await layer.new_channel() for _ in range(3)]
    for channel in (written, queued):
        await layer.group_add("team.1", channel)
    await layer.group_add("team.2", outsider)
    socket = FakeSocket()
    writer = FrameWriter(socket, "desk.event")
    writer.release()
    layer.attach_writer(written, writer)
    message = event("frame")
    await layer.group_send("team.1", message)
    assert socket.sent[0] == {"type": "websocket.send", "text": "frame"}
    assert await asyncio.wait_for(layer.receive(queued), timeout=1) == message
    assert written not in layer.channels and outsider not in layer.channels
    # Another type goes to the queue even where a writer is attached.
    await layer.group_send("team.1", {"type": "other.thing", "text": "x"})
    assert (await asyncio.wait_for(layer.receive(written), timeout=1))["type"] == "other.thing"
    layer.detach_writer(written)
    await layer.group_send("team.1", event("after"))
    assert (await asyncio.wait_for(layer.receive(written), timeout=1))["text"] == "after"
    assert socket.texts == ["frame"]


async def test_it_tells_a_full_in_process_channel_to_resume_instead_of_dropping() -> None:
    layer = FanoutMemoryChannelLayer(capacity=2)
    channel = await layer.new_channel()
    await layer.group_add("team.1", channel)
    for text in "abc":  # the third does not fit
        await layer.group_send("team.1", event(text))
    assert await asyncio.wait_for(layer.receive(channel), timeout=1) == {"type": fanout.INTERRUPTED}
    await layer.group_send("team.1", event("d"))
    # From another thread (a publish that failed in the task worker): via the loop.
    await asyncio.to_thread(layer.interrupted)
    await asyncio.sleep(0)
    assert await asyncio.wait_for(layer.receive(channel), timeout=1) == {"type": fanout.INTERRUPTED}


async def test_it_hands_a_message_to_a_waiting_in_process_consumer_without_a_queue() -> None:
    layer = FanoutMemoryChannelLayer()
    channel = await layer.new_channel()
    await layer.group_add("chat.1", channel)
    waiting = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    assert channel not in layer.channels  # an idle socket holds no queue
    sent = {"type": "chat.message", "text": "salam"}
    await layer.group_send("chat.1", sent)
    received = await asyncio.wait_for(waiting, timeout=1)
    assert received == sent and received is not sent  # a copy, as Channels' queue holds
    # While the consumer is busy, messages wait in order in a queue, then it goes.
    for text in ("1", "2"):
        await layer.send(channel, {"type": "chat.message", "text": text})
    assert [(await layer.receive(channel))["text"] for _ in range(2)] == ["1", "2"]
    assert channel not in layer.channels
    # A waiting consumer is told to resume too.
    waiting = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    layer.interrupted()
    assert await asyncio.wait_for(waiting, timeout=1) == {"type": fanout.INTERRUPTED}
    cancelled = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.sleep(0)
    assert channel not in layer._waiting
