from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.actions import messages as message_actions
from helpdesk.actions import tickets as actions
from helpdesk.events import to_frame
from helpdesk.models import Ticket, TicketEvent
from tests.helpdesk.api.conftest import API

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _all_events(client: Any, after: int, limit: int) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    while True:
        body = client.get(f"{API}/events", after=after, limit=limit).json()
        frames += body["items"]
        after = body["last_seq"]
        if not body["has_more"]:
            return frames


def test_it_returns_exactly_the_missed_visible_events(
    api: Any,
    agent_a: Any,
    agent_b: Any,
    email_inbox_a: Any,
    email_inbox_b: Any,
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(email_inbox_a)
    client = api(agent_a)
    seen = client.get(f"{API}/events").json()["last_seq"]
    assert seen == TicketEvent.objects.latest("id").pk
    # What happens while the client is away: its own team's work and team B's.
    actions.do_claim(agent_a, ticket.pk)
    other = make_ticket(email_inbox_b)
    message_actions.do_reply(agent_a, ticket.pk, "on it")
    actions.do_set_tags(agent_b, other.pk, ["elsewhere"])
    make_ticket(email_inbox_a)
    missed = list(TicketEvent.objects.filter(id__gt=seen, team=ticket.team).order_by("id"))
    assert len(missed) >= 5
    expected = [json.loads(json.dumps(to_frame(e))) for e in missed]
    for limit in (1, 2, 100):
        assert _all_events(client, seen, limit) == expected
    frames = _all_events(client, 0, 3)
    assert [f["seq"] for f in frames] == sorted(f["seq"] for f in frames)
    assert other.pk not in {f["ticket_id"] for f in frames}


def test_it_pages_events_with_the_same_number_of_queries(
    api: Any,
    agent_a: Any,
    email_inbox_a: Any,
    make_ticket: Callable[..., Ticket],
    django_assert_num_queries: Any,
) -> None:
    for _ in range(6):
        make_ticket(email_inbox_a)
    client = api(agent_a)
    client.get(f"{API}/events")
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(f"{API}/events", limit=2).json()["items"]) == 2
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(f"{API}/events", limit=10).json()["items"]) == 10


def test_it_refuses_a_bad_after_or_limit(api: Any, agent_a: Any) -> None:
    client = api(agent_a)
    for params in ({"after": "-1"}, {"after": "x"}, {"limit": "0"}, {"limit": "501"}):
        response = client.get(f"{API}/events", **params)
        assert response.status_code == 422, params
