"""Chaos 5: `pg_terminate_backend` of every connection of the desk's processes, under load.

A web process (uvicorn) takes replies from three API clients (retrying with their
Idempotency-Key) while a worker (`db_worker --queue-name '*'`) mails them to an
SMTP sink. Five times, 0.3 s apart, every backend of the desk's database except
the test's own is terminated. Both processes recover by themselves; every reply
is stored once and mailed exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from helpdesk.automation.scheduler import run_due_work
from helpdesk.models import Direction, Message, Ticket
from tests import factories
from tests.chaos.clients import RetryingClient, join_clients, start_clients
from tests.chaos.conftest import SmtpSink
from tests.chaos.processes import DeskProcess, WebProcess, wait_until

pytestmark = [pytest.mark.chaos, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 3
REPLIES = 6  # per client
ROUNDS = 5
PAUSE = 0.3
WAIT = 60.0
QUIET = 3.0  # seconds without a change: the worker is done with what it can do


def _terminate_all_others() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _outbound(ticket: Ticket) -> Counter[str]:
    rows = Message.objects.filter(ticket=ticket, direction=Direction.OUTBOUND)
    return Counter(rows.values_list("delivery_status", flat=True))


def _settled(ticket: Ticket, timeout: float, worker: DeskProcess) -> None:
    """Wait until the worker has no task left to start and the replies' states have
    stopped changing for QUIET seconds (or none is queued or sending)."""
    deadline = time.monotonic() + timeout
    last, quiet_since = _outbound(ticket), time.monotonic()
    while last["queued"] + last["sending"]:
        assert worker.alive(), worker.output()
        ready = DBTaskResult.objects.filter(status="READY").exists()
        if not ready and time.monotonic() - quiet_since > QUIET:
            return
        assert time.monotonic() < deadline, f"replies still moving: {last}\n{worker.output()}"
        time.sleep(0.1)
        now = _outbound(ticket)
        if now != last:
            last, quiet_since = now, time.monotonic()


def test_terminated_connections_lose_nothing_and_send_nothing_twice(
    web: WebProcess,
    worker: DeskProcess,
    mail_ticket: Ticket,
    chaos_agent: Any,
    smtp_sink: tuple[SmtpSink, int],
) -> None:
    sink = smtp_sink[0]
    worker.start()
    keys = [[f"reply c{c} n{n}" for n in range(REPLIES)] for c in range(CLIENTS)]
    client = RetryingClient(web.url, factories.make_token(chaos_agent))
    threads = start_clients(client, f"/api/v1/tickets/{mail_ticket.pk}/reply", keys)
    wait_until(lambda: client.acknowledged() >= 2, WAIT, "the load to start")
    terminated = []
    for _ in range(ROUNDS):
        terminated.append(_terminate_all_others())
        time.sleep(PAUSE)
    join_clients(threads, WAIT)
    total = CLIENTS * REPLIES

    outcomes = {o.key: o for o in client.outcomes}
    assert {o.status for o in outcomes.values()} == {201}, [
        (o.key, o.status, o.errors) for o in outcomes.values() if o.status != 201
    ]
    replies = Message.objects.filter(ticket=mail_ticket, direction=Direction.OUTBOUND)
    assert Counter(replies.values_list("text", flat=True)) == Counter(list(outcomes))
    _settled(mail_ticket, WAIT, worker)
    before_sweep = _outbound(mail_ticket)
    # What the desk cannot finish by itself it finishes on the scheduler's sweep (a
    # reply whose task was lost is enqueued again; an interrupted send is settled):
    # run as if past the stranded window, twice, as minute after minute.
    later = timezone.now() + timedelta(minutes=16)
    swept = run_due_work(later)["requeued"]
    if swept:
        _settled(mail_ticket, WAIT, worker)
    assert run_due_work(later + timedelta(minutes=1))["requeued"] == 0
    time.sleep(1)  # room for a wrong second send to show

    final = _outbound(mail_ticket)
    assert set(final) <= {"sent", "uncertain"} and final.total() == total, final
    # No mail twice; every reply recorded sent was received exactly once.
    received = Counter(sink.message_ids())
    assert max(received.values()) == 1, (received, worker.output())
    sent_ids = set(replies.filter(delivery_status="sent").values_list("external_id", flat=True))
    assert sent_ids <= set(received) and len(sent_ids) == final["sent"]
    assert len(received) - final["sent"] <= final["uncertain"]
    # Both processes recovered by themselves: neither exited.
    assert web.alive() and worker.alive(), (web.output(), worker.output())
    assert all(terminated), terminated  # every round cut live connections
    retried = sum(bool(o.errors) for o in outcomes.values())
    print(
        f"terminated per round {terminated}; before the sweep {dict(before_sweep)}, "
        f"requeued {swept}; final {dict(final)}; mails {len(received)}; "
        f"worker reconnects {worker.output_of_this_run().count('lost its database')}; "
        f"client retries {retried}, "
        f"replayed {sum(o.replayed for o in outcomes.values())}"
    )
