"""Fixtures of the chaos suite: real desk processes on the test database and the
suite's own redis-server, an SMTP sink on loopback, and a ticket whose replies go
to that sink. Every test here is marked `chaos` and `postgres` (pyproject.toml):
it runs in the PostgreSQL run of `make test`, never in the embedded rerun."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from channels_in.email.models import MailboxConfig, TlsMode
from helpdesk.ingest import receive
from helpdesk.models import Ticket
from tests import factories
from tests.channels_in.email.servers import SmtpRecorder
from tests.chaos.processes import DeskProcess, WebProcess, desk_env, web_process, worker_process
from tests.live.base import server_database_url
from tests.net import free_port
from tests.redis_server import RedisServer, redis_server

__all__ = ["redis_server"]  # fixtures

HOLD_LIMIT = 20.0  # seconds a held DATA waits at most


@pytest.fixture
def chaos_env(redis_server: RedisServer, transactional_db: None) -> dict[str, str]:
    """Environment of the desk's processes: the test database, the suite's own Redis."""
    return desk_env(server_database_url(), redis_server.url, prefix="chaos")


@pytest.fixture
def web(chaos_env: dict[str, str], tmp_path: Path) -> Iterator[WebProcess]:
    process = web_process(chaos_env, tmp_path / "web.log")
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def worker(chaos_env: dict[str, str], tmp_path: Path) -> Iterator[DeskProcess]:
    """The task worker, not started: a test starts (and kills) it when it needs it."""
    process = worker_process(chaos_env, tmp_path / "worker.log")
    try:
        yield process
    finally:
        process.stop()


@dataclass
class SmtpSink(SmtpRecorder):
    """Records every mail; the `hold_at`-th DATA is recorded, then its answer is held
    back (the worker waits for its 250) until `release` is set."""

    hold_at: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.received) == self.hold_at:
            self.holding.set()
            for _ in range(int(HOLD_LIMIT / 0.05)):
                if self.release.is_set():
                    break
                await asyncio.sleep(0.05)
        return answer

    def message_ids(self) -> list[str]:
        import email

        return [str(email.message_from_bytes(m.data)["Message-ID"]) for m in self.received]


@pytest.fixture
def smtp_sink() -> Iterator[tuple[SmtpSink, int]]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        sink.release.set()
        controller.stop()


@pytest.fixture
def mail_ticket(transactional_db: None, smtp_sink: tuple[SmtpSink, int]) -> Ticket:
    """A ticket of an email inbox whose outgoing mail goes to the SMTP sink."""
    team = factories.make_team("Chaos")
    inbox = factories.make_inbox(team, "email")
    MailboxConfig.objects.create(
        inbox=inbox,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink[1],
        smtp_tls=TlsMode.NONE,
        from_address="support@desk.example",
        timeout=10,
    )
    return receive(factories.inbound(inbox, external_id="<chaos@customer>")).ticket


@pytest.fixture
def chaos_agent(mail_ticket: Ticket) -> Any:
    assert mail_ticket.team is not None
    return factories.make_user("chaos-agent", teams=[mail_ticket.team])
