"""The process runner: supervised listeners, the task worker thread, `manage.py listen`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from helpdesk.actions.messages import do_reply
from helpdesk.channels import SendResult
from helpdesk.ingest import receive
from helpdesk.models import DeliveryStatus, Message
from helpdesk.runner import Pool, Supervised, TaskWorker
from tests import factories
from tests.live.base import PYTHON, ROOT
from tests.live.run_command import embedded_env
from tests.net import free_port

pytestmark = pytest.mark.embedded

FAST = {"initial_backoff": 0.01, "max_backoff": 0.05}


def _wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


class Crashing:
    name = "crashing"

    def __init__(self) -> None:
        self.runs = 0

    def run(self, stop: threading.Event) -> None:
        self.runs += 1
        raise ConnectionError("IMAP server went away")


class Steady:
    name = "steady"

    def __init__(self) -> None:
        self.started = threading.Event()
        self.stopped = threading.Event()

    def run(self, stop: threading.Event) -> None:
        self.started.set()
        stop.wait()
        self.stopped.set()


def test_it_restarts_a_failing_listener_without_stopping_the_others() -> None:
    crashing, steady = Crashing(), Steady()
    pool = Pool([crashing, steady], **FAST)
    pool.start()
    try:
        _wait_for(lambda: crashing.runs >= 3)
        assert steady.started.is_set() and not steady.stopped.is_set()
    finally:
        pool.shutdown()
    assert steady.stopped.is_set()
    assert not any(t.is_alive() for t in pool.threads)


def test_it_doubles_the_backoff_up_to_the_cap() -> None:
    stop = threading.Event()
    delays: list[float] = []

    class Recording(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            delays.append(timeout or 0.0)
            if len(delays) >= 5:
                stop.set()
            return stop.is_set()

        def is_set(self) -> bool:
            return stop.is_set()

    Supervised(Crashing(), Recording(), initial_backoff=1, max_backoff=4).run()
    assert delays == [1, 2, 4, 4, 4]


def test_it_restarts_a_listener_that_returns_early() -> None:
    class Quitter:
        name = "quitter"
        runs = 0

        def run(self, stop: threading.Event) -> None:
            Quitter.runs += 1

    pool = Pool([Quitter()], **FAST)
    pool.start()
    try:
        _wait_for(lambda: Quitter.runs >= 2)
    finally:
        pool.shutdown()


class Accepting:
    def send(self, message: Message) -> SendResult:
        return SendResult(external_id=f"<sent-{message.pk}@example.com>")


@pytest.mark.django_db(transaction=True)
def test_it_runs_queued_tasks_in_the_worker_thread(sender_override: Any, agent_a: Any) -> None:
    sender_override("email", Accepting())
    inbox = factories.make_inbox(agent_a.agent.teams.get(), "email")
    ticket = receive(factories.inbound(inbox)).ticket
    worker = TaskWorker(interval=0.05)
    pool = Pool([worker], **FAST)
    pool.start()
    try:
        message = do_reply(agent_a, ticket.pk, "On its way")
        _wait_for(lambda: Message.objects.get(pk=message.pk).delivery_status == DeliveryStatus.SENT)
    finally:
        pool.shutdown()
    assert not any(t.is_alive() for t in pool.threads)


MANAGE = [str(PYTHON), "manage.py"]


@pytest.fixture(scope="module")
def migrated_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a fresh, migrated SQLite desk in its own directory."""
    var_dir = Path(tmp_path_factory.mktemp("desk"))
    env = {**embedded_env(var_dir, free_port()), "DEBUG": "1"}
    subprocess.run([*MANAGE, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)  # noqa: S603
    return env


def test_it_refuses_to_serve_on_a_taken_port(migrated_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(  # noqa: S603
            [*MANAGE, "rundesk", "--port", port],
            cwd=ROOT,
            env=migrated_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert f"could not serve on 127.0.0.1:{port}" in result.stderr


def test_it_listens_until_sigterm(migrated_env: dict[str, str]) -> None:
    process = subprocess.Popen(  # noqa: S603
        [*MANAGE, "listen"], cwd=ROOT, env=migrated_env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        while line and not line.startswith("Listening:"):
            line = process.stdout.readline()
        assert line.startswith("Listening:")
        os.kill(process.pid, signal.SIGTERM)
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Stopped." in rest


async def test_it_queues_a_sockets_receive_events_in_order_without_an_asyncio_queue() -> None:
    from helpdesk.runner import _Inbox

    inbox = _Inbox()
    assert inbox.empty()
    waiting = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait({"type": "websocket.connect"})  # handed to the waiting get
    assert await asyncio.wait_for(waiting, timeout=1) == {"type": "websocket.connect"}
    for n in range(3):  # nobody waits: kept in order
        inbox.put_nowait(n)
    assert not inbox.empty()
    assert [await inbox.get() for _ in range(3)] == [0, 1, 2]
    assert inbox.empty()
    cancelled = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.sleep(0)
    inbox.put_nowait("after")  # not lost to the cancelled get
    assert await asyncio.wait_for(inbox.get(), timeout=1) == "after"
