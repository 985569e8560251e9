"""The Redis pub/sub channel layer, writing group frames straight to local sockets.

channels-redis' `RedisPubSubChannelLayer` puts a group message into the queue of
every member channel of the process; each consumer task then wakes, decodes its
own copy (msgpack), goes through Channels' dispatch and writes one frame. At
1,000 sockets that wake-up per socket is most of the server's CPU per delivery
(bench/fanout.py, py-spy). Here a consumer may attach a `FrameWriter` to its
channel: the layer decodes a group message once per process and hands it to each
member's writer, which writes the frame to its socket at once, as
`websockets.broadcast()` does. Channels without a writer, and messages a writer
declines, go to the channel's queue as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close

logger = logging.getLogger(__name__)

type Message = dict[str, Any]
type AsgiSend = Callable[[Message], Coroutine[Any, Any, None]]
type AsgiReceive = Callable[[], Awaitable[Message]]
type AsgiApp = Callable[[Message, AsgiReceive, AsgiSend], Awaitable[None]]
type Writer = Callable[[Message], bool]

# The scope key under which `with_server_send` leaves the server's own send.
SERVER_SEND = "helpdesk.server_send"

# Frames a socket may have waiting (held during a catch-up, or behind a client
# that does not read): past this the socket is closed, and the client resumes
# from the event log when it reconnects, instead of the server growing memory.
BACKLOG_LIMIT = 2000
CLOSE_TRY_AGAIN_LATER = 1013  # RFC 6455 section 7.4.1 (IANA registry)


def with_server_send(app: AsgiApp) -> AsgiApp:
    """Put the server's send in the scope, for frames written by a FrameWriter.

    Channels' session middleware wraps send to save sessions on HTTP responses
    only; on a socket it passes frames through after a few lazy-object look-ups
    per frame, a sixth of the CPU per delivery at 1,000 sockets (py-spy).
    """

    async def wrapped(scope: Message, receive: AsgiReceive, send: AsgiSend) -> None:
        await app({**scope, SERVER_SEND: send}, receive, send)

    return wrapped


class FrameWriter:
    """Writes the "text" of layer messages of one type to one socket, in order.

    Held (frames kept back, in order) until `release()`: a socket must not get a
    live frame before it is accepted, nor during a catch-up. The message is
    shared by every socket of the group: read, never changed.
    """

    def __init__(self, send: AsgiSend, message_type: str) -> None:
        self._send = send
        self._type = message_type
        self._loop = asyncio.get_running_loop()
        self._backlog: deque[str] = deque()
        self._held = True
        self._writing: asyncio.Task[None] | None = None
        self.closed = False

    def __call__(self, message: Message) -> bool:
        text = message.get("text")
        if message.get("type") != self._type or not isinstance(text, str):
            return False
        if self.closed:
            return True
        if self._held or self._writing is not None or self._backlog:
            self._keep(text)
        else:
            self._write(text)
        return True

    def hold(self) -> None:
        self._held = True

    def release(self) -> None:
        self._held = False
        self._drain()

    def _keep(self, text: str) -> None:
        if len(self._backlog) < BACKLOG_LIMIT:
            self._backlog.append(text)
            return
        logger.warning("socket %d frames behind: closing it", len(self._backlog))
        self.closed = True
        self._backlog.clear()
        self._start({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})

    def _write(self, text: str) -> None:
        self._start({"type": "websocket.send", "text": text})

    def _start(self, message: Message) -> None:
        if not self._loop.is_running():  # shutting down: nothing to write to
            self.closed = True
            return
        # Servers write at once unless the client stopped reading, so the send
        # runs eagerly: no task is scheduled in the usual case.
        task: asyncio.Task[None] = asyncio.Task(
            self._send(message), loop=self._loop, eager_start=True
        )
        if task.done():
            self._check(task)
        else:
            self._writing = task
            task.add_done_callback(self._written)

    def _check(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            # The socket is gone; its consumer gets the disconnect and detaches us.
            logger.debug("frame not written: %r", task.exception())
            self.closed = True
            self._backlog.clear()

    def _written(self, task: asyncio.Task[None]) -> None:
        self._writing = None
        self._check(task)
        self._drain()

    def _drain(self) -> None:
        while self._backlog and not self._held and self._writing is None and not self.closed:
            self._write(self._backlog.popleft())


class _FanoutShard(RedisSingleShardConnection):  # type: ignore[misc]
    channel_layer: FanoutLoopLayer

    def _receive_message(self, message: Message | None) -> None:
        if message is None:
            return
        layer = self.channel_layer
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        members = layer.groups.get(name)
        if not layer.writers or members is None or name in layer.channels:
            super()._receive_message(message)
            return
        data = message["data"]
        decoded: Message | None = None
        for channel in tuple(members):
            queue = layer.channels.get(channel)
            if queue is None:
                continue
            writer = layer.writers.get(channel)
            if writer is not None:
                if decoded is None:
                    decoded = layer.channel_layer.deserialize(data)
                try:
                    if writer(decoded):
                        continue
                except Exception:
                    logger.exception("frame writer of %s failed", channel)
            queue.put_nowait(data)


class FanoutLoopLayer(RedisPubSubLoopLayer):  # type: ignore[misc]
    """One event loop's layer: channels-redis' own, plus the writers of its channels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writers: dict[str, Writer] = {}
        hosts = [shard.host for shard in self._shards]  # type: ignore[has-type]
        self._shards = [_FanoutShard(host, self) for host in hosts]

    def attach_writer(self, channel: str, writer: Writer) -> None:
        self.writers[channel] = writer

    def detach_writer(self, channel: str) -> None:
        self.writers.pop(channel, None)

    async def receive(self, channel: str) -> Message:
        try:
            message: Message = await super().receive(channel)
        except asyncio.CancelledError:
            # channels-redis takes a cancelled receive for the consumer's exit and
            # drops the channel: its writer goes too, even without a disconnect.
            self.writers.pop(channel, None)
            raise
        return message


class FanoutPubSubChannelLayer(RedisPubSubChannelLayer):  # type: ignore[misc]
    """`RedisPubSubChannelLayer` whose group messages may skip the consumers' queues."""

    def _get_layer(self) -> FanoutLoopLayer:
        loop = asyncio.get_running_loop()
        layer: FanoutLoopLayer | None = self._layers.get(loop)
        if layer is None:
            layer = FanoutLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer

    def attach_writer(self, channel: str, writer: Writer) -> None:
        """Offer this channel's group messages to `writer` first (see FrameWriter)."""
        self._get_layer().attach_writer(channel, writer)

    def detach_writer(self, channel: str) -> None:
        self._get_layer().detach_writer(channel)
