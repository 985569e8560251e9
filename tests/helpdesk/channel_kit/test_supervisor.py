"""InboxSupervisor with fake workers: start, stop, restart with a capped backoff."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any

import pytest

from helpdesk.channel_kit import InboxSupervisor, run_until_stopped


def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> None:
    """A correctness deadline, not a timing assertion."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


class FakeInboxes(InboxSupervisor[str]):
    """Workers that run until stopped, or crash while `crash` names their inbox."""

    name = "fake"
    refresh_seconds = 0.05
    tick_seconds = 0.01
    initial_backoff = 0.05
    max_backoff = 0.2
    healthy_after = 60.0
    join_seconds = 5.0

    def __init__(self) -> None:
        super().__init__()
        self.wanted: dict[str, Hashable] = {}
        self.crash: set[str] = set()
        self.database_down = False
        self.lock = threading.Lock()
        self.live: set[str] = set()
        self.sessions: list[tuple[str, Hashable, float]] = []  # (key, version, started)
        self.failures: list[tuple[str, str, float]] = []  # (key, error, retry_in)

    def inboxes(self) -> Mapping[str, Hashable]:
        if self.database_down:
            raise ConnectionError("database down")
        return dict(self.wanted)

    def serve(self, key: str, stop: threading.Event) -> None:
        with self.lock:
            assert key not in self.live, "two sessions of one inbox at once"
            self.live.add(key)
            self.sessions.append((key, self.wanted.get(key), time.monotonic()))
        try:
            if key in self.crash:
                raise RuntimeError(f"{key} broke")
            stop.wait()
        finally:
            with self.lock:
                self.live.discard(key)

    def failed(self, key: str, error: Exception | None, retry_in: float) -> float:
        self.failures.append((key, str(error), retry_in))
        return retry_in

    def started(self, key: str) -> int:
        return sum(1 for k, _v, _t in self.sessions if k == key)


@pytest.fixture
def running() -> Iterator[Callable[[FakeInboxes], threading.Thread]]:
    stops: list[tuple[threading.Event, threading.Thread]] = []

    def _run(supervisor: FakeInboxes) -> threading.Thread:
        stop = threading.Event()
        thread = threading.Thread(target=supervisor.run, args=(stop,), daemon=True)
        thread.start()
        stops.append((stop, thread))
        return thread

    yield _run
    for stop, thread in stops:
        stop.set()
        thread.join(10)
        assert not thread.is_alive()


def test_it_starts_new_inboxes_and_stops_removed_ones(running: Any) -> None:
    fake = FakeInboxes()
    fake.wanted = {"a": 1, "b": 1}
    running(fake)
    wait_for(lambda: fake.live == {"a", "b"})
    fake.wanted = {"b": 1, "c": 1}  # a disabled, c added
    wait_for(lambda: fake.live == {"b", "c"})
    assert fake.started("b") == 1  # an unchanged inbox keeps its worker
    assert not fake.failures


def test_it_restarts_a_changed_inbox_once_the_old_session_ended(running: Any) -> None:
    fake = FakeInboxes()
    fake.wanted = {"a": "v1"}
    running(fake)
    wait_for(lambda: fake.live == {"a"})
    fake.wanted = {"a": "v2"}  # a new token, say
    wait_for(lambda: [v for _k, v, _t in fake.sessions] == ["v1", "v2"] and fake.live == {"a"})
    assert not fake.failures  # serve() also asserts the sessions never overlapped


def test_it_restarts_a_crashed_worker_with_a_doubling_capped_backoff(running: Any) -> None:
    fake = FakeInboxes()
    fake.crash = {"bad"}
    fake.wanted = {"bad": 1, "good": 1}
    running(fake)
    wait_for(lambda: len(fake.failures) >= 5)
    delays = [retry for _k, _e, retry in fake.failures[:5]]
    assert delays == [0.05, 0.1, 0.2, 0.2, 0.2]
    assert {k for k, _e, _r in fake.failures} == {"bad"}
    assert fake.failures[0][1] == "bad broke"
    # Each restart waited at least its delay.
    starts = [t for k, _v, t in fake.sessions if k == "bad"]
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert all(gap >= delay for gap, delay in zip(gaps, delays, strict=False))
    assert fake.started("good") == 1 and "good" in fake.live  # the others keep running
    assert fake.restarts["bad"] >= 5


def test_it_resets_the_backoff_after_a_healthy_session(running: Any) -> None:
    fake = FakeInboxes()
    fake.healthy_after = 0.0  # every session counts as healthy
    fake.crash = {"flaky"}
    fake.wanted = {"flaky": 1}
    running(fake)
    wait_for(lambda: len(fake.failures) >= 3)
    assert {retry for _k, _e, retry in fake.failures} == {0.05}


def test_it_waits_longer_when_the_channel_asks(running: Any) -> None:
    class Patient(FakeInboxes):
        def failed(self, key: str, error: Exception | None, retry_in: float) -> float:
            super().failed(key, error, retry_in)
            return 30.0  # a revoked token will not heal soon

    fake = Patient()
    fake.crash = {"a"}
    fake.wanted = {"a": 1}
    running(fake)
    wait_for(lambda: fake.failures)
    time.sleep(0.5)  # several ticks and refreshes: still waiting out its 30 s
    assert fake.started("a") == 1


def test_it_keeps_the_running_workers_while_the_database_is_down(running: Any) -> None:
    fake = FakeInboxes()
    fake.wanted = {"a": 1}
    running(fake)
    wait_for(lambda: fake.live == {"a"})
    fake.database_down = True
    time.sleep(0.3)  # several refreshes fail
    assert fake.live == {"a"} and fake.started("a") == 1
    fake.database_down = False
    fake.wanted = {}
    wait_for(lambda: not fake.live)


def test_it_stops_every_worker_on_the_stop_event() -> None:
    fake = FakeInboxes()
    fake.wanted = {"a": 1, "b": 1, "c": 1}
    stop = threading.Event()
    thread = threading.Thread(target=fake.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(lambda: len(fake.live) == 3)
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and not fake.live
    assert not fake.failures  # stopping is not a crash


def test_it_cancels_an_asyncio_session_at_once_when_stopped() -> None:
    import asyncio

    stop = threading.Event()
    cancelled = threading.Event()

    async def long_poll() -> None:
        try:
            await asyncio.sleep(3600)  # a getUpdates held open by the server
        except asyncio.CancelledError:
            cancelled.set()
            raise

    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    run_until_stopped(stop, long_poll)
    assert cancelled.is_set() and time.monotonic() - started < 5


def test_it_passes_an_asyncio_session_error_on() -> None:
    async def broken() -> None:
        raise ValueError("no route to api.telegram.org")

    with pytest.raises(ValueError, match="no route"):
        run_until_stopped(threading.Event(), broken)
