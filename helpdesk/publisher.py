"""A long-lived sender for out-of-process channel layers (Redis).

`async_to_sync(group_send)` from plain sync code starts an event loop and a
Redis connection per call, which cost about half of an ingest on PostgreSQL.
Instead, one daemon thread owns one loop and one layer connection, and a single
coroutine sends queued frames in the order they were committed.

A send that fails loses its frame (at-most-once); the local sockets are told at
once (`helpdesk.fanout`: they close with 4500 and their clients resume from the
event log), since nothing else would tell them that a frame is missing.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

type SendAll = Callable[[list[str], dict[str, Any]], Awaitable[None]]


class BackgroundPublisher:
    def __init__(self, send_all: SendAll) -> None:
        self._send_all = send_all
        self._loop = asyncio.new_event_loop()
        # Since Python 3.10 a Queue binds to the loop that first uses it, not here.
        self._queue: asyncio.Queue[tuple[list[str], dict[str, Any]]] = asyncio.Queue()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-publisher", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._ready.set()
        self._loop.run_until_complete(self._drain_forever())

    async def _drain_forever(self) -> None:
        while True:
            groups, frame = await self._queue.get()
            try:
                await self._send_all(groups, frame)
            except Exception:
                # At-most-once: the client repairs a lost frame from the event log,
                # once it knows to.
                logger.exception("publishing event %s failed", frame.get("seq"))
                interrupt_local_sockets()
            finally:
                self._queue.task_done()

    def submit(self, groups: list[str], frame: dict[str, Any]) -> None:
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (groups, frame))

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every submitted frame was handed to the layer."""
        if not self._thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self._queue.join(), self._loop)
        try:
            future.result(timeout=timeout)
        except TimeoutError:
            logger.warning("event publisher still busy after %.1fs", timeout)


def interrupt_local_sockets() -> None:
    """Make this process's sockets resume: a frame meant for them may be lost."""
    interrupted = getattr(get_channel_layer(), "interrupted", None)
    if interrupted is None:  # a layer without the signal (channels-redis' own)
        return
    try:
        interrupted()
    except Exception:
        logger.exception("could not interrupt the local sockets")


_publisher: BackgroundPublisher | None = None
_lock = threading.Lock()


def background_publisher(send_all: SendAll) -> BackgroundPublisher:
    global _publisher
    with _lock:
        if _publisher is None:
            _publisher = BackgroundPublisher(send_all)
            atexit.register(_publisher.flush, 2.0)
        return _publisher


def flush(timeout: float = 5.0) -> None:
    if _publisher is not None:
        _publisher.flush(timeout)
