"""The scheduler's breach step racing agents' actions on the same tickets, on PostgreSQL:
the lock order holds (ticket, then its SLA row, then the event sequence), nothing
deadlocks, and each breach is recorded once even with two schedulers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions.messages import do_add_note, do_reply
from helpdesk.actions.tickets import do_set_priority
from helpdesk.ingest import receive
from helpdesk.models import TicketEvent
from helpdesk.sla.models import TicketSla
from helpdesk.sla.scheduler import tick
from tests import factories
from tests.helpdesk.concurrency import race
from tests.helpdesk.sla.conftest import make_policy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_breaches_race_replies_and_other_schedulers_without_deadlock(
    email_inbox_a: Any, agent_a: Any
) -> None:
    make_policy(first=60, resolution=600)
    tickets = [
        receive(factories.inbound(email_inbox_a, sender=f"race{n}@example.com")).ticket
        for n in range(8)
    ]
    later = timezone.now() + timedelta(minutes=61)

    def schedule() -> int:
        return tick(later)["sla_breached"]

    def work() -> int:
        for t in tickets:
            do_add_note(agent_a, t.pk, "checking")
            do_set_priority(agent_a, t.pk, 3)
        for t in tickets[::2]:
            do_reply(agent_a, t.pk, "answer")
        return len(tickets)

    race(schedule, schedule, work)
    breaches = TicketEvent.objects.filter(type="sla.breached")
    # Every first response was either met in time for the race or breached exactly once.
    per_ticket = {t.pk: breaches.filter(ticket=t).count() for t in tickets}
    assert all(n <= 1 for n in per_ticket.values())
    rows = {r.pk: r for r in TicketSla.objects.filter(pk__in=per_ticket)}
    for pk, n in per_ticket.items():
        assert rows[pk].first_response_state in ("met", "breached")
        assert (n == 1) == (rows[pk].breaches != [])
