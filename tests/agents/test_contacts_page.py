"""The contacts list: the agent's contacts only, searchable, in a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.ingest import receive
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_lists_only_the_contacts_of_the_agents_teams_with_their_open_tickets(
    login: Any, agent_a: Any, ticket_a: Any, ticket_b: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(agent_a)
    with django_assert_max_num_queries(12):
        page = client.get("/contacts/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "A Customer" in body and "customer@example.com" in body
    assert "other@example.com" not in body  # team B's customer
    assert "1 open ticket" in body
    assert 'href="/contacts/"' in body and 'aria-current="page"' in body  # in the top bar


def test_it_finds_a_contact_by_name_address_or_phone_and_says_when_nothing_matches(
    login: Any, admin_user: Any, email_inbox_a: Any, ticket_a: Any
) -> None:
    receive(factories.inbound(email_inbox_a, sender="maryam@example.ir", name="مریم احمدی"))
    client = login(admin_user)
    by_name = client.get("/contacts/", {"q": "مریم"}).content.decode()
    assert "مریم احمدی" in by_name and "A Customer" not in by_name
    by_address = client.get("/contacts/", {"q": "customer@example"}).content.decode()
    assert "A Customer" in by_address and "مریم احمدی" not in by_address
    nothing = client.get("/contacts/", {"q": "nobody-at-all"}).content.decode()
    assert 'id="contact-list-empty"' in nothing
