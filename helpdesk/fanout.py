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

Delivery is at-most-once and clients repair it from the event log, but only if
they know something was lost. When this process's Redis reader loses its
connection, when it reconnects (anything published in between is gone), or when
a publish from this process fails, every local consumer gets a layer message of
type `INTERRUPTED` (`desk.interrupted`): the agent and visitor sockets close with
`CLOSE_INTERRUPTED` (4500) and their clients reconnect and catch up.
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
from redis import exceptions as redis_errors

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

# Frames may have been lost (docs/architecture.md): the layer message every local
# consumer gets, and the close code with which sockets tell their clients to
# reconnect and resume (private range, RFC 6455 section 7.4.2).
INTERRUPTED = "desk.interrupted"
CLOSE_INTERRUPTED = 4500


def with_server_send(app: AsgiApp) -> AsgiApp:
    """Put the server's send in the scope, for frames written by a FrameWriter.

    Channels' session middleware wraps send to save sessions on HTTP responses
    only; on a socket it passes frames through after a few lazy-object look-ups
    per frame, a sixth of the CPU per delivery at 1,000 sockets (py-spy).
    """

    def wrapped(scope: Message, receive: AsgiReceive, send: AsgiSend) -> Awaitable[None]:
        # Set in place rather than on a copy: the server builds one scope per socket
        # and never reuses it, and a copy is ~0.8 KB for each idle socket's life.
        # Not a coroutine itself, so no frame of its own waits for the socket's life.
        scope[SERVER_SEND] = send
        return app(scope, receive, send)

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
    _lost = False  # the reader's connection failed and has not come back yet

    def _ensure_redis(self) -> None:
        if self._redis is None:
            super()._ensure_redis()
            # redis-py calls the pub/sub connection's connect callbacks on every
            # reconnect (not on the first connect) and re-subscribes there; it keeps
            # them as weak methods, so the hook is a bound method of the shard.
            self._pubsub.on_connect = self._reconnected

    async def _reconnected(self, connection: Any) -> None:
        await type(self._pubsub).on_connect(self._pubsub, connection)
        if self._lost:
            # The loss was announced: every socket of then was told, and none could
            # subscribe since (this reconnect may well be a new socket's subscribe).
            self._lost = False
            logger.warning("channel layer reconnected to Redis")
            return
        # A drop redis-py mended inside its own retry: frames published in
        # between are gone all the same.
        logger.warning("channel layer reconnected to Redis: local sockets resume")
        self.channel_layer.interrupted()

    async def _do_receiving(self) -> None:
        # channels-redis' loop, which logs a traceback every second while Redis is
        # down and tells nobody; here the first failure interrupts the local sockets.
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1
                    )
                    self._lost = False
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (asyncio.CancelledError, TimeoutError, GeneratorExit):
                raise
            except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as exc:
                if not self._lost:
                    self._lost = True
                    logger.error("channel layer lost Redis (%s): local sockets resume", exc)
                    self.channel_layer.interrupted()
                await asyncio.sleep(1)
            except Exception:
                logger.exception("Unexpected exception in receive task")
                await asyncio.sleep(1)

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

    def interrupted(self) -> None:
        """Tell every consumer of this loop that frames may have been lost."""
        if not self.channels:
            return
        data = self.channel_layer.serialize({"type": INTERRUPTED})
        for queue in tuple(self.channels.values()):
            queue.put_nowait(data)

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

    def interrupted(self) -> None:
        """Tell the consumers of every loop of this process that frames may be lost.

        Safe from any thread: the background publisher calls it when a send failed.
        """
        for loop, layer in tuple(self._layers.items()):
            if not loop.is_closed():
                loop.call_soon_threadsafe(layer.interrupted)
