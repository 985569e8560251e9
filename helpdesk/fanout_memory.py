"""The run command's in-process channel layer, with helpdesk.fanout's frame writers.

One process (`manage.py rundesk`: SQLite, no Redis) still gets the fan-out path of
the Redis layer: a group message is handed once to each member's `FrameWriter`,
which writes the publisher's pre-serialized frame to its socket at once, instead
of a deep copy, a task and a consumer wake-up per member (bench/fanout.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

from helpdesk.fanout import INTERRUPTED, Message, Writer

logger = logging.getLogger(__name__)


class FanoutMemoryChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]
    """The run command's in-process layer, with the same writers as the Redis one.

    Channels' `InMemoryChannelLayer.group_send` starts one task per member, deep-copies
    the message for each, and every consumer then wakes to write its frame; its
    expiry sweep walks every channel and group on each send and receive. Here a
    member with a `FrameWriter` gets the shared message at once (decoded never: it
    is already a dict), the others are queued as before, and the sweep runs at most
    once a second (messages expire after a minute, so a second late changes nothing).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writers: dict[str, Writer] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._swept = 0.0
        self._waiting: dict[str, asyncio.Future[Message]] = {}

    def attach_writer(self, channel: str, writer: Writer) -> None:
        """Offer this channel's group messages to `writer` first (see FrameWriter)."""
        self._loop = asyncio.get_running_loop()
        self.writers[channel] = writer

    async def group_add(self, group: str, channel: str) -> None:
        self._loop = asyncio.get_running_loop()  # where `interrupted` reaches the queues
        await super().group_add(group, channel)

    def detach_writer(self, channel: str) -> None:
        self.writers.pop(channel, None)

    async def send(self, channel: str, message: Message) -> None:
        waiter = self._waiting.pop(channel, None)
        if waiter is None or waiter.done():
            await super().send(channel, message)
            return
        assert isinstance(message, dict), "message is not a dict"  # noqa: S101 (Channels' check)
        self.require_valid_channel_name(channel)
        waiter.set_result(deepcopy(message))  # a copy, as Channels' queue holds one

    async def receive(self, channel: str) -> Message:
        self.require_valid_channel_name(channel)
        queue = self.channels.get(channel)
        if queue is not None and not queue.empty():
            message: Message = await super().receive(channel)
            return message
        waiter: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._waiting[channel] = waiter
        try:
            return await waiter
        finally:
            if self._waiting.get(channel) is waiter:
                del self._waiting[channel]

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept >= 1.0:
            self._swept = now
            super()._clean_expired()

    def _remove_from_groups(self, channel: str) -> None:
        super()._remove_from_groups(channel)
        self.writers.pop(channel, None)

    async def group_send(self, group: str, message: Message) -> None:
        assert isinstance(message, dict), "Message is not a dict"  # noqa: S101 (Channels' check)
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in tuple(self.groups.get(group, ())):
            writer = self.writers.get(channel)
            try:
                if writer is not None and writer(message):
                    continue
            except Exception:
                logger.exception("frame writer of %s failed", channel)
            try:
                await self.send(channel, message)
            except ChannelFull:
                # Channels drops it silently; the socket is told to resume instead.
                logger.warning("channel %s full: it resumes from the event log", channel)
                self._interrupt(channel)

    def _interrupt(self, channel: str) -> None:
        waiter = self._waiting.pop(channel, None)
        if waiter is not None and not waiter.done():
            waiter.set_result({"type": INTERRUPTED})
            return
        queue = self.channels.get(channel)
        if queue is not None:
            queue._queue.clear()  # its backlog is what the catch-up replays
            queue.put_nowait((time.time() + self.expiry, {"type": INTERRUPTED}))

    def interrupted(self) -> None:
        """Tell every local consumer that frames may have been lost (from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._interrupt_all()
        else:
            loop.call_soon_threadsafe(self._interrupt_all)

    def _interrupt_all(self) -> None:
        for channel in {*self.channels, *self._waiting}:
            self._interrupt(channel)
