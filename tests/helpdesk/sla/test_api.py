"""The ticket's `sla` in the JSON API (the exact shape), and the list filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.models import Ticket
from helpdesk.sla.scheduler import tick
from tests.helpdesk.api.conftest import API
from tests.helpdesk.sla.conftest import Clock, make_policy

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_ticket_carries_its_sla_in_the_documented_shape(
    api: Any, agent_a: Any, email_inbox_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy("Gold", first=30, nxt=60, resolution=240)
    ticket = new_ticket(email_inbox_a)
    tick(clock.advance(minutes=31))
    body = api(agent_a).get(f"{API}/tickets/{ticket.pk}").json()
    sla = body["sla"]
    due = ticket.created_at + timedelta(minutes=30)
    assert sla["policy"] == "Gold"
    assert sla["status"] == "breached"
    assert when(sla["first_response_due_at"]) == due
    assert sla["next_response_due_at"] is None
    assert when(sla["resolution_due_at"]) == ticket.created_at + timedelta(minutes=240)
    assert [(b["target"], when(b["at"])) for b in sla["breaches"]] == [("first_response", due)]
    assert sla["states"] == {
        "first_response": "breached",
        "next_response": "",
        "resolution": "active",
    }


def test_a_ticket_without_a_policy_says_so(
    api: Any, agent_a: Any, email_inbox_a: Any, new_ticket: Callable[..., Ticket]
) -> None:
    ticket = new_ticket(email_inbox_a)
    sla = api(agent_a).get(f"{API}/tickets/{ticket.pk}").json()["sla"]
    assert sla["policy"] is None and sla["status"] == "none" and sla["breaches"] == []


def test_the_list_filters_breached_and_due_soon_with_constant_queries(
    api: Any,
    agent_a: Any,
    email_inbox_a: Any,
    new_ticket: Callable[..., Ticket],
    clock: Clock,
    settings: Any,
    django_assert_num_queries: Any,
) -> None:
    settings.HELPDESK_SLA_DUE_SOON_MINUTES = 20
    make_policy(
        "Fast",
        position=0,
        first=10,
        conditions=[{"field": "tags", "op": "contains", "value": "fast"}],
    )
    make_policy("Slow", position=1, first=40)
    slow = [new_ticket(email_inbox_a) for _ in range(3)]
    fast = new_ticket(email_inbox_a, subject="fast one")
    from helpdesk.actions.tickets import do_set_tags

    do_set_tags(agent_a, fast.pk, ["fast"])
    tick(clock.advance(minutes=25))  # fast: breached; slow: due in 15 minutes
    client = api(agent_a)

    def ids(**params: Any) -> set[int]:
        return {t["id"] for t in client.get(f"{API}/tickets", **params).json()["items"]}

    assert ids(sla="breached") == {fast.pk}
    assert ids(sla="due_soon") == {t.pk for t in slow}
    assert client.get(f"{API}/tickets", sla="late").status_code == 422
    client.get(f"{API}/tickets", limit=1)
    with CaptureQueriesContext(connection) as small:
        client.get(f"{API}/tickets", limit=1)
    with django_assert_num_queries(len(small.captured_queries)):
        items = client.get(f"{API}/tickets", limit=4).json()["items"]
    assert {i["sla"]["policy"] for i in items} == {"Fast", "Slow"}
