"""One worker thread per inbox, kept in step with the database.

A channel listener that serves many inboxes (IMAP mailboxes, Telegram bots in
polling mode) subclasses `InboxSupervisor` and writes only the per-inbox work:
`inboxes()` says which inboxes should run (and a version that restarts a worker
when it changes, e.g. the config's `updated_at`), `serve()` runs one session of
one inbox until its stop event is set. The supervisor does the rest:

* every `refresh_seconds` it re-reads `inboxes()`: new ones start, removed or
  disabled ones stop, a changed one is stopped and started again once its old
  thread has exited (never two sessions of one inbox at once);
* a session that raises (or returns while not asked to stop) is restarted after
  a delay that doubles up to `max_backoff`, and is back at `initial_backoff`
  once a session lasted `healthy_after`; `failed()` reports the error first
  (and may ask for a longer delay);
* when the database cannot be read, the running set is kept;
* on the listener's stop event every worker is asked to stop and joined.

`helpdesk.runner.Pool` supervises the listener as a whole; this is the level below.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Worker:
    version: Hashable
    stop: threading.Event
    thread: threading.Thread
    started: float
    error: Exception | None = None


@dataclass(slots=True)
class _Backoff:
    delay: float
    restart_at: float = 0.0


@dataclass(slots=True)
class _State[K: Hashable]:
    wanted: dict[K, Hashable] = field(default_factory=dict)
    running: dict[K, _Worker] = field(default_factory=dict)
    stopping: dict[K, _Worker] = field(default_factory=dict)
    backoff: dict[K, _Backoff] = field(default_factory=dict)


class InboxSupervisor[K: Hashable]:
    """Runs `serve(key, stop)` in a thread per wanted inbox; see the module docstring."""

    name = "inboxes"
    refresh_seconds = 30.0  # how often the wanted inboxes are re-read
    initial_backoff = 1.0
    max_backoff = 300.0
    healthy_after = 60.0  # a session this long resets the backoff
    tick_seconds = 0.2  # how quickly a crashed worker or a due restart is noticed
    join_seconds = 10.0  # how long shutdown waits for the workers, all together

    def __init__(self) -> None:
        self.restarts: dict[K, int] = {}

    # --- what a channel writes -----------------------------------------------------------
    def inboxes(self) -> Mapping[K, Hashable]:
        """The inboxes that should run: key -> version (a new version restarts the worker)."""
        raise NotImplementedError

    def serve(self, key: K, stop: threading.Event) -> None:
        """One session of one inbox: return when `stop` is set, raise on any trouble."""
        raise NotImplementedError

    def failed(self, key: K, error: Exception | None, retry_in: float) -> float:
        """Report a session that ended by itself (`error` None: it returned).

        Returns the delay before the restart: `retry_in` (the backoff), or longer
        when the channel knows better (a revoked bot token will not heal in 1 s).
        """
        logger.warning("%s %s: %s; restarting in %.1fs", self.name, key, _describe(error), retry_in)
        return retry_in

    # --- the loop ---------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Keep the workers in step with `inboxes()` until `stop` is set."""
        state: _State[K] = _State()
        next_refresh = 0.0
        try:
            while not stop.is_set():
                now = time.monotonic()
                if now >= next_refresh:
                    next_refresh = now + self.refresh_seconds
                    state.wanted = self._read_wanted(state.wanted)
                self._reconcile(state, now)
                stop.wait(self.tick_seconds)
        finally:
            self._stop_all(state)
            connections.close_all()

    def _read_wanted(self, current: dict[K, Hashable]) -> dict[K, Hashable]:
        try:
            close_old_connections()
            return dict(self.inboxes())
        except Exception:  # the database is down: keep what runs, retry later
            logger.exception("%s: cannot list the inboxes; keeping the running ones", self.name)
            return current

    def _reconcile(self, state: _State[K], now: float) -> None:
        for key, worker in list(state.stopping.items()):
            if not worker.thread.is_alive():
                del state.stopping[key]
        for key, worker in list(state.running.items()):
            if state.wanted.get(key, _GONE) != worker.version:
                worker.stop.set()  # removed, disabled or changed: stop it
                state.stopping[key] = worker
                del state.running[key]
                state.backoff.pop(key, None)
            elif not worker.thread.is_alive():
                del state.running[key]
                self._schedule_restart(state, key, worker, now)
        for key in [k for k in state.backoff if k not in state.wanted]:
            del state.backoff[key]
        for key, version in state.wanted.items():
            if key in state.running or key in state.stopping:
                continue
            pending = state.backoff.get(key)
            if pending is not None and now < pending.restart_at:
                continue
            state.running[key] = self._start(key, version, now)

    def _schedule_restart(self, state: _State[K], key: K, worker: _Worker, now: float) -> None:
        pending = state.backoff.get(key)
        if pending is None or now - worker.started >= self.healthy_after:
            pending = state.backoff[key] = _Backoff(self.initial_backoff)
        else:
            pending.delay = min(pending.delay * 2, self.max_backoff)
        self.restarts[key] = self.restarts.get(key, 0) + 1
        delay = pending.delay
        try:
            delay = self.failed(key, worker.error, pending.delay)
        except Exception:  # reporting must never stop the supervisor
            logger.exception("%s %s: reporting a failure failed", self.name, key)
        pending.restart_at = now + delay

    def _start(self, key: K, version: Hashable, now: float) -> _Worker:
        worker = _Worker(version, threading.Event(), threading.Thread(), now)
        worker.thread = threading.Thread(
            target=self._session, args=(key, worker), name=f"{self.name}-{key}", daemon=True
        )
        worker.thread.start()
        return worker

    def _session(self, key: K, worker: _Worker) -> None:
        try:
            self.serve(key, worker.stop)
        except Exception as exc:  # noqa: BLE001 - any failure: reported, backed off, restarted
            worker.error = exc
        finally:
            connections.close_all()  # this thread's connections die with it

    def _stop_all(self, state: _State[K]) -> None:
        workers = [*state.running.values(), *state.stopping.values()]
        for worker in workers:
            worker.stop.set()
        deadline = time.monotonic() + self.join_seconds
        for worker in workers:
            worker.thread.join(max(deadline - time.monotonic(), 0.0))
            if worker.thread.is_alive():
                logger.warning("%s: %s did not stop in time", self.name, worker.thread.name)


_GONE = object()


def _describe(error: Exception | None) -> str:
    if error is None:
        return "the session ended by itself"
    return f"{type(error).__name__}: {error}"


def run_until_stopped(
    stop: threading.Event,
    main: Callable[[], Coroutine[Any, Any, None]],
    *,
    poll_seconds: float = 0.1,
) -> None:
    """Run `main()` on a new event loop in this thread, cancelled as soon as `stop` is set.

    For an asyncio session inside `InboxSupervisor.serve`: a long poll waiting on
    the network is cancelled at once instead of holding up shutdown. Errors of
    `main()` propagate; being cancelled because of `stop` is a normal return.
    """

    async def watch() -> None:
        task = asyncio.ensure_future(main())
        while not task.done() and not stop.is_set():
            await asyncio.wait({task}, timeout=poll_seconds)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return
        task.result()

    asyncio.run(watch())
