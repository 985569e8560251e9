"""The desk's processes: web (uvicorn), the task worker, and the channel listeners.

Production runs each as its own process (`uvicorn config.asgi:application`,
`manage.py db_worker`, `manage.py listen`). The run command (`manage.py rundesk`)
runs all three in one process: uvicorn's event loop on the main thread, the worker
and every listener in threads. With the in-process channel layer, the layer's
queues belong to the server's loop, so the threads publish through that loop
(`helpdesk.events.set_server_loop`), and they start only once it runs.

uvicorn rather than Daphne: Twisted writes each WebSocket frame with a system call
plus a write watch added and removed, ~50-80 us a frame, which at 1,000 sockets
missed the fan-out latency target by far (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

import uvicorn
from django.db import connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from helpdesk import events
from helpdesk.channels import Listener, get_listeners

logger = logging.getLogger(__name__)


def close_thread_connections() -> None:
    """Close this thread's database connections (threads do not share them)."""
    connections.close_all()


class Supervised:
    """Runs one listener until `stop` is set, restarting it with backoff when it fails.

    A listener that raises or returns early is started again after a delay that
    doubles up to `max_backoff`, and resets once a run lasted `healthy_after`.
    """

    def __init__(
        self,
        listener: Listener,
        stop: threading.Event,
        *,
        initial_backoff: float = 1.0,
        max_backoff: float = 60.0,
        healthy_after: float = 60.0,
    ) -> None:
        self.listener = listener
        self.stop = stop
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.healthy_after = healthy_after
        self.restarts = 0

    @property
    def name(self) -> str:
        return getattr(self.listener, "name", "") or type(self.listener).__name__

    def run(self) -> None:
        delay = self.initial_backoff
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                self.listener.run(self.stop)
            except Exception:
                logger.exception("listener %s failed; restarting in %.1fs", self.name, delay)
            else:
                if self.stop.is_set():
                    break
                logger.warning("listener %s returned; restarting in %.1fs", self.name, delay)
            finally:
                close_thread_connections()
            if time.monotonic() - started >= self.healthy_after:
                delay = self.initial_backoff
            if self.stop.wait(delay):
                break
            self.restarts += 1
            delay = min(delay * 2, self.max_backoff)


class TaskWorker:
    """django-tasks-db's worker loop as a listener: runs queued tasks until `stop`.

    The worker's own signal handlers are not installed (signals belong to the
    main thread); `request_stop` ends its loop after the current task.
    """

    name = "task-worker"

    def __init__(self, *, interval: float = 1.0, queue_names: Sequence[str] = ("*",)) -> None:
        self.interval = interval
        self.queue_names = list(queue_names)
        self._worker: Worker | None = None

    def run(self, stop: threading.Event) -> None:
        worker = Worker(
            queue_names=self.queue_names,
            interval=self.interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"desk-{get_random_string(12)}",
            excluded_queue_names=[],
        )
        self._worker = worker
        # Set after publishing the worker, so request_stop cannot slip in between.
        if stop.is_set():
            return
        worker.run()

    def request_stop(self) -> None:
        if self._worker is not None:
            self._worker.running = False


class Pool:
    """Threads for a set of listeners sharing one stop event."""

    def __init__(self, listeners: Sequence[Listener], **backoff: float) -> None:
        self.stop = threading.Event()
        self.supervised = [Supervised(item, self.stop, **backoff) for item in listeners]
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for item in self.supervised:
            thread = threading.Thread(target=item.run, name=f"desk-{item.name}", daemon=True)
            thread.start()
            self.threads.append(thread)
            logger.info("started %s", item.name)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Ask every thread to stop and wait for them (daemon threads left behind die)."""
        self.stop.set()
        for item in self.supervised:
            if isinstance(item.listener, TaskWorker):
                item.listener.request_stop()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
            if thread.is_alive():
                logger.warning("%s did not stop within %.0fs", thread.name, timeout)


def listener_pool(**backoff: float) -> Pool:
    """Every installed channel listener (what `manage.py listen` runs)."""
    return Pool(get_listeners(), **backoff)


def asgi_application(*, static: bool) -> Any:
    """The desk's ASGI app, serving /static/ itself when `static` (development)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    application = import_string(settings.ASGI_APPLICATION)

    if static:
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        return ASGIStaticFilesHandler(application)
    return application


def listening_socket(host: str, port: int) -> socket.socket | None:
    """The server's socket, bound here so a taken port is an answer, not an exit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        logger.error("cannot listen on %s:%d: %s", host, port, exc)
        return None


class DeskServer(uvicorn.Server):
    """uvicorn's server, starting the pool once its loop runs and stopping it first."""

    def __init__(
        self,
        config: uvicorn.Config,
        pool: Pool,
        on_ready: Callable[[str, int], None] | None,
    ) -> None:
        super().__init__(config)
        self.pool = pool
        self.on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        events.set_server_loop(asyncio.get_running_loop())
        self.pool.start()
        if self.on_ready is not None and sockets:
            bound = sockets[0].getsockname()
            self.on_ready(str(bound[0]), int(bound[1]))

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Threads stop before the loop they publish through goes away; joining them
        # blocks, so off the loop (a thread may be waiting on it right now).
        events.set_server_loop(None)
        await asyncio.to_thread(self.pool.shutdown)
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the caught signal once it stopped, killing the process
        # before the command reports; here SIGINT/SIGTERM only stop the server.
        def stop(sig: int, frame: FrameType | None) -> None:
            self.handle_exit(sig, frame)

        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, stop) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class _Inbox:
    """What uvicorn uses of an unbounded `asyncio.Queue`, without its deques and event.

    A socket's queue of ASGI receive events is empty nearly all its life; an
    `asyncio.Queue` still costs ~3 KB per socket (three deques and an event). Here a
    waiting `get` is a future and items wait in a deque only while nobody waits.
    """

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[Any] | None = None
        self._waiter: asyncio.Future[Any] | None = None

    def put_nowait(self, item: Any) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._waiter = None
            waiter.set_result(item)
            return
        if self._items is None:
            self._items = deque()
        self._items.append(item)

    async def get(self) -> Any:
        if self._items:
            item = self._items.popleft()
            if not self._items:
                self._items = None
            return item
        waiter = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            return await waiter
        finally:
            if self._waiter is waiter:
                self._waiter = None

    def empty(self) -> bool:
        return not self._items


class _Writable:
    """What uvicorn uses of an `asyncio.Event` for its `writable` flag, ~0.7 KB less.

    An Event allocates its deque of waiters up front; the flag is set nearly all of
    a socket's life and nobody waits on it, so waiters are a list made on demand.
    """

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = True
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> None:
        if self._set:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        await waiter


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol with less memory per idle socket.

    Its receive queue is an `_Inbox`, its `writable` flag a `_Writable`, and it
    forgets the parsed request and the response once the handshake is done: it
    keeps both (their headers, ~4 KB) for the socket's whole life though neither is
    read again (the scope keeps the headers the application needs).
    bench/idle_sockets.py, docs/BENCHMARKS.md.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Inbox()  # type: ignore[assignment]
        self.writable = _Writable()  # type: ignore[assignment]

    def start_keepalive(self) -> None:
        # Called once, right after the 101 response was written. websockets' parser
        # generator keeps the request as a local for the socket's life: emptying its
        # headers is what frees them (~2.6 KB a socket, tracemalloc).
        self.request.headers.clear()
        self.request = None  # type: ignore[assignment]
        self.response = None  # type: ignore[assignment]
        super().start_keepalive()


def server_config(app: Any, *, verbosity: int) -> uvicorn.Config:
    """uvicorn as production runs it (docs/operations.md), for one process."""
    return uvicorn.Config(
        app,
        lifespan="off",  # Channels' router has no lifespan protocol
        log_config=None,  # Django's LOGGING stays in charge
        # uvicorn logs every socket's opening at INFO: only with -v 2, like requests.
        log_level=logging.INFO if verbosity >= 2 else logging.WARNING,
        access_log=verbosity >= 2,
        # The sans-I/O protocol keeps no task per socket for pings and reading, the
        # legacy one three: 40 vs 47 MB per 1,000 idle sockets (docs/BENCHMARKS.md).
        ws=LeanWebSocketProtocol,
        # A zlib stream per socket cost a third of uvicorn's CPU per delivered frame
        # (docs/BENCHMARKS.md).
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=5,
    )


def serve(
    host: str,
    port: int,
    *,
    pool: Pool,
    static: bool,
    on_ready: Callable[[str, int], None] | None = None,
    verbosity: int = 1,
) -> bool:
    """Serve HTTP and WebSocket with uvicorn on this thread until SIGINT/SIGTERM.

    Once the server's loop runs, it becomes the loop threads publish through, then
    the pool starts. On shutdown the pool stops before the loop goes away.
    Returns False when the server never started (e.g. the port was taken).
    """
    sock = listening_socket(host, port)
    if sock is None:
        return False
    config = server_config(asgi_application(static=static), verbosity=verbosity)
    server = DeskServer(config, pool, on_ready)
    try:
        asyncio.run(server.serve(sockets=[sock]))
    finally:
        events.set_server_loop(None)
        pool.shutdown()
        sock.close()
    return bool(server.started)
