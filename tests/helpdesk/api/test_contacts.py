from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.models import Contact, Ticket
from tests.helpdesk.api.conftest import API

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _walk(client: Any, limit: int, **params: Any) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        query = {**params, "limit": limit} | ({"cursor": cursor} if cursor else {})
        body = client.get(f"{API}/contacts", **query).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


def test_it_pages_through_visible_contacts_newest_first(
    api: Any,
    agent_a: Any,
    email_inbox_a: Any,
    email_inbox_b: Any,
    make_ticket: Callable[..., Ticket],
) -> None:
    mine = [make_ticket(email_inbox_a).contact_id for _ in range(7)]
    make_ticket(email_inbox_b)
    client = api(agent_a)
    expected = sorted(mine, reverse=True)
    for limit in (1, 2, 3, 7, 50):
        assert _walk(client, limit) == expected


def test_it_searches_contacts_by_name_and_address(
    api: Any, agent_a: Any, email_inbox_a: Any, make_ticket: Callable[..., Ticket]
) -> None:
    zahra = make_ticket(email_inbox_a, name="زهرا کریمی", sender="zahra@example.ir").contact_id
    make_ticket(email_inbox_a, name="John Smith", sender="john@example.com")
    client = api(agent_a)
    assert _walk(client, 10, q="کریمی") == [zahra]
    assert _walk(client, 10, q="ZAHRA@example") == [zahra]
    assert _walk(client, 10, q="nobody") == []


def test_it_shows_a_contact_with_identities_and_only_visible_tickets(
    api: Any,
    agent_a: Any,
    email_inbox_a: Any,
    email_inbox_b: Any,
    make_ticket: Callable[..., Ticket],
) -> None:
    first = make_ticket(email_inbox_a, sender="sam@example.com", name="Sam")
    hidden = make_ticket(email_inbox_b, sender="sam@example.com")  # team B's
    assert hidden.contact_id == first.contact_id
    body = api(agent_a).get(f"{API}/contacts/{first.contact_id}").json()
    assert body["name"] == "Sam"
    assert body["identities"] == [
        {
            "kind": "email",
            "address": "sam@example.com",
            "display_name": "Sam",
            "unreachable_reason": "",
        }
    ]
    assert [t["id"] for t in body["tickets"]] == [first.pk]
    assert body["tickets"][0]["team"]["name"] == "Team A"


def test_it_edits_a_contact(api: Any, agent_a: Any, ticket_a: Ticket) -> None:
    client = api(agent_a)
    url = f"{API}/contacts/{ticket_a.contact_id}"
    response = client.patch(
        url,
        {
            "name": "مریم احمدی",
            "preferred_channel": "telegram",
            "custom_attributes": {"plan": "gold"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "مریم احمدی"
    assert body["preferred_channel"] == "telegram"
    assert body["custom_attributes"] == {"plan": "gold"}
    assert body["notes"] == ""  # not sent, not changed
    assert client.patch(url, {}).status_code == 422
    assert client.patch(url, {"preferred_channel": "pigeon"}).status_code == 422
    assert client.patch(url, {"merged_into": 1}).status_code == 422
    assert Contact.objects.get(pk=ticket_a.contact_id).name == "مریم احمدی"


def test_it_merges_two_contacts(
    api: Any, supervisor_a: Any, email_inbox_a: Any, make_ticket: Callable[..., Ticket]
) -> None:
    source = make_ticket(email_inbox_a, sender="old@example.com")
    target = make_ticket(email_inbox_a, sender="new@example.com")
    client = api(supervisor_a)
    response = client.post(
        f"{API}/contacts/{source.contact_id}/merge", {"target_id": target.contact_id}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == target.contact_id
    assert {i["address"] for i in body["identities"]} == {"old@example.com", "new@example.com"}
    assert {t["id"] for t in body["tickets"]} == {source.pk, target.pk}
    again = client.post(
        f"{API}/contacts/{target.contact_id}/merge", {"target_id": target.contact_id}
    )
    assert again.status_code == 422


def test_it_lists_contacts_with_the_same_number_of_queries_for_any_page_size(
    api: Any,
    agent_a: Any,
    email_inbox_a: Any,
    make_ticket: Callable[..., Ticket],
    django_assert_num_queries: Any,
) -> None:
    for n in range(10):
        make_ticket(email_inbox_a, sender=f"person{n}@example.com", name=f"Person {n}")
    client = api(agent_a)
    for params in ({}, {"q": "person"}):
        client.get(f"{API}/contacts")
        with CaptureQueriesContext(connection) as small:
            assert len(client.get(f"{API}/contacts", limit=2, **params).json()["items"]) == 2
        with django_assert_num_queries(len(small.captured_queries)):
            assert len(client.get(f"{API}/contacts", limit=10, **params).json()["items"]) == 10
