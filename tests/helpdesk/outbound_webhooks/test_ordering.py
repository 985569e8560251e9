"""Order per ticket under concurrent events and concurrent workers, on PostgreSQL.

Four threads change three tickets at once while three workers deliver; a
meddling sweeper enqueues a task for every pending delivery again and again, so
later deliveries of a ticket do get picked up while earlier ones are in flight:
only the order check keeps them back. The receiver answers slowly (several POSTs
in flight) and fails some answers (retries in between).
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from helpdesk.actions.tickets import do_set_tags
from helpdesk.models import Inbox, TicketEvent
from helpdesk.outbound_webhooks.delivery import deliver
from helpdesk.outbound_webhooks.models import Delivery
from tests.factories import run_queued_tasks
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.concurrency import race
from tests.helpdesk.outbound_webhooks.conftest import make_due
from tests.helpdesk.outbound_webhooks.receiver import Answer, Receiver

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHANGES = 6  # per writer thread
WRITERS = 4
WORKERS = 3


def test_it_delivers_each_tickets_events_in_sequence_order(
    subscribe: Any, receiver: Receiver, email_inbox_a: Inbox, agent_a: Any
) -> None:
    tickets = [open_ticket(email_inbox_a, sender=f"c{n}@example.com") for n in range(3)]
    subscribe(event_types=["ticket.updated"])
    receiver.delay = 0.01
    receiver.plan = [Answer(), Answer(503), Answer(), Answer(), Answer(500)]
    writing = threading.Event()
    writing.set()

    def writer(w: int) -> Any:
        def run() -> None:
            for n in range(CHANGES):
                ticket = tickets[(w + n) % len(tickets)]
                do_set_tags(agent_a, ticket.pk, [f"w{w}-n{n}"])

        return run

    def worker(k: int) -> Any:
        def run() -> None:
            idle_since = None
            while idle_since is None or time.monotonic() - idle_since < 1.0:
                if not writing.is_set():
                    make_due()  # retries come back at once
                    _meddle()
                run_queued_tasks(worker_id=f"w{k}")
                busy = writing.is_set() or Delivery.objects.exclude(status__in=_done()).exists()
                idle_since = None if busy else (idle_since or time.monotonic())
                time.sleep(0.02)

        return run

    def writers() -> None:
        try:
            race(*(writer(w) for w in range(WRITERS)))
        finally:
            writing.clear()

    race(writers, *(worker(k) for k in range(WORKERS)), timeout=120)
    connection.close()

    sent: dict[int, list[int]] = defaultdict(list)
    for request in receiver.received:
        event = json.loads(request.body)["event"]
        sent[event["ticket_id"]].append(event["seq"])
    expected = defaultdict(list)
    updates = TicketEvent.objects.filter(type="ticket.tags_changed").order_by("id")
    for ticket_id, seq in updates.values_list("ticket_id", "id"):
        expected[ticket_id].append(seq)
    assert sum(map(len, expected.values())) == WRITERS * CHANGES
    for ticket_id, seqs in expected.items():
        # Every event arrived, in order; a retried one arrives again right after itself.
        delivered = [
            s for i, s in enumerate(sent[ticket_id]) if i == 0 or s != sent[ticket_id][i - 1]
        ]
        assert delivered == seqs, (ticket_id, sent[ticket_id])
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def _done() -> list[str]:
    return ["succeeded", "failed"]


def _meddle() -> None:
    """A task for every pending delivery, whatever its place in its ticket's order."""
    pending = Delivery.objects.filter(status="pending").values_list("pk", flat=True)
    queued = {
        args["args"][0]
        for args in DBTaskResult.objects.filter(
            status="READY", task_path=deliver.module_path
        ).values_list("args_kwargs", flat=True)
    }
    for pk in pending:
        if pk not in queued:
            deliver.enqueue(pk)


def test_it_claims_a_delivery_while_another_worker_holds_the_subscription_row(
    subscribe: Any, receiver: Receiver, email_inbox_a: Inbox
) -> None:
    # Every worker's claim and outcome touch the one subscription: a claim that
    # locked it too (FOR UPDATE over the join) skipped its delivery for good.
    from django.db import transaction

    from helpdesk.outbound_webhooks.dispatch import fan_out
    from helpdesk.outbound_webhooks.models import Subscription

    sub, _secret = subscribe(event_types=["ticket.created"])
    open_ticket(email_inbox_a)
    fan_out.call()
    pending = Delivery.objects.get()
    held, done = threading.Event(), threading.Event()

    def hold_the_subscription() -> None:
        try:
            with transaction.atomic():
                Subscription.objects.select_for_update().get(pk=sub.pk)
                held.set()
                done.wait(20)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_subscription)
    holder.start()
    try:
        assert held.wait(20)
        assert deliver.call(pending.pk) == "delivered"
    finally:
        done.set()
        holder.join()
    assert len(receiver.received) == 1
