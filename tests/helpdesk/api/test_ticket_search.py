"""Both ways of the ticket search find the same tickets, in the list's order.

On PostgreSQL a term goes one of two ways (helpdesk/ticket_search.py): its
tickets' ids are collected through the trigram indexes, or the team's tickets
are walked in page order. Which one depends on the planner's estimate, so each
case here is run with each way forced, and both must give the same answer.
On SQLite there is one way; the same cases run there once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk import ticket_search
from tests import factories
from tests.helpdesk.api.conftest import API

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture(params=["collect", "walk"])
def way(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    # A cap below every estimate sends every term on the walk; a huge one collects.
    monkeypatch.setattr(ticket_search, "CANDIDATE_CAP", -1 if request.param == "walk" else 10**9)
    return str(request.param)


def test_it_finds_the_same_tickets_either_way(
    way: str,
    api: Any,
    agent_a: Any,
    email_inbox_a: Any,
    email_inbox_b: Any,
    team_a: Any,
    make_ticket: Callable[..., Any],
) -> None:
    code = make_ticket(email_inbox_a, text="Order with SKU-4173 did not arrive")
    longer = make_ticket(email_inbox_a, text="Order with SKU-41730 is late")
    subject = make_ticket(email_inbox_a, subject="Refund 50% please", text="hi")
    persian = make_ticket(email_inbox_a, text="رمز عبورم را فراموش کرده‌ام", name="زهرا کریمی")
    by_mail = make_ticket(email_inbox_a, sender="Reza.Tehrani@Example.org", text="hello")
    phone_inbox = factories.make_inbox(team_a, "phone")
    by_phone = make_ticket(phone_inbox, sender="0912 345 6789", text="call me")
    other_team = make_ticket(email_inbox_b, text="SKU-4173 too, in team B")
    client = api(agent_a)

    def found(q: str) -> list[int]:
        return _ids(client.get(f"{API}/tickets", q=q, limit=50))

    assert found("SKU-4173") == [code.pk, longer.pk]  # newest first, team B not visible
    assert other_team.pk not in found("4173")
    assert found("50%") == [subject.pk]  # LIKE wildcards are searched for literally
    assert found("50_") == []
    assert found("فراموش کرده‌ام") == [persian.pk]
    assert found("زهرا") == [persian.pk]  # the contact's name
    assert found("reza.tehrani@example") == [by_mail.pk]
    assert found("۰۹۱۲ ۳۴۵ ۶۷۸۹") == [by_phone.pk]
    assert persian.pk in found(str(persian.pk))  # a ticket number
    assert found("nothing like this") == []


def test_a_walk_page_costs_the_same_queries_as_a_collected_one(
    api: Any,
    agent_a: Any,
    email_inbox_a: Any,
    make_ticket: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(6):
        make_ticket(email_inbox_a, text=f"my refund number {n}")
    client = api(agent_a)
    client.get(f"{API}/tickets", q="refund")  # the token's last use is written once
    counts = []
    for cap in (10**9, -1):
        monkeypatch.setattr(ticket_search, "CANDIDATE_CAP", cap)
        with CaptureQueriesContext(connection) as ctx:
            assert len(_ids(client.get(f"{API}/tickets", q="refund", limit=4))) == 4
        counts.append(len(ctx.captured_queries))
    # The walk skips the collection query (the estimate is asked either way).
    walk_saves = 1 if connection.vendor == "postgresql" else 0
    assert counts[1] == counts[0] - walk_saves
