"""Facts of many conversations refreshed at once: the same facts, constant queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.actions.messages import do_reply
from helpdesk.ingest import receive
from helpdesk.reports import facts
from helpdesk.reports.models import HourlyRollup, TicketFact
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

COMPARED = ["status", "messages_in", "messages_out", "reply_count", "first_response_s"]


def _conversations(inbox: Any, agent: Any, count: int) -> list[int]:
    ids = []
    for n in range(count):
        ticket = receive(factories.inbound(inbox, sender=f"c{n}@example.com")).ticket
        if n % 2:
            do_reply(agent, ticket.pk, "Hello")
        ids.append(ticket.pk)
    return ids


def _rollup() -> list[tuple[Any, ...]]:
    return sorted(HourlyRollup.objects.values_list("created", "messages_in", "messages_out"))


def test_it_refreshes_many_like_one_by_one_in_constant_queries(
    email_inbox_a: Any, agent_a: Any
) -> None:
    ids = _conversations(email_inbox_a, agent_a, 6)
    for pk in ids:
        facts.refresh(pk)
    one_by_one = {f.pk: [getattr(f, n) for n in COMPARED] for f in TicketFact.objects.all()}
    rollup = _rollup()
    assert len(one_by_one) == 6
    with CaptureQueriesContext(connection) as few:
        facts.refresh_many(ids[:2])
    with CaptureQueriesContext(connection) as many:
        facts.refresh_many(ids)
    assert len(many.captured_queries) == len(few.captured_queries)
    again = {f.pk: [getattr(f, n) for n in COMPARED] for f in TicketFact.objects.all()}
    assert again == one_by_one
    assert _rollup() == rollup  # refreshing unchanged conversations moves no sums
