"""`POST /api/v1/tickets`: outbound conversations over the API, with Idempotency-Key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from helpdesk.models import ContactIdentity, Direction, Inbox, Message, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _post(client: Client, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"{API}/tickets", json.dumps(body), content_type="application/json", headers=headers
    )


def _client(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {factories.make_token(user, 'tickets')}")


def test_it_starts_an_email_conversation_with_a_new_contact(
    email_inbox_a: Inbox, agent_a: Any
) -> None:
    body = {
        "contact": {"name": "Sara Karimi", "email": "Sara@Example.com"},
        "channel": "email",
        "subject": "Your invoice",
        "text": "سلام، فاکتور شما آماده است.",
    }
    response = _post(_client(agent_a), body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["subject"] == "Your invoice" and data["status"] == "pending"
    assert data["inbox"]["id"] == email_inbox_a.pk and data["assignee"]["id"] == agent_a.pk
    ticket = Ticket.objects.get(pk=data["id"])
    assert ticket.contact.name == "Sara Karimi"
    assert ContactIdentity.objects.get(contact=ticket.contact).address == "sara@example.com"
    [message] = Message.objects.filter(ticket=ticket)
    assert message.direction == Direction.OUTBOUND and message.delivery_status == "queued"
    # A GET on the same path still lists tickets.
    assert _client(agent_a).get(f"{API}/tickets").status_code == 200


def test_it_reuses_an_existing_contact_by_id_and_by_address(
    email_inbox_a: Inbox, agent_a: Any
) -> None:
    first = _post(
        _client(agent_a),
        {"contact": {"email": "ali@example.com"}, "inbox_id": email_inbox_a.pk, "text": "Hi"},
    ).json()
    contact_id = first["contact"]["id"]
    again = _post(
        _client(agent_a),
        {"contact": {"email": "ALI@example.com "}, "channel": "email", "text": "Hi again"},
    ).json()
    by_id = _post(
        _client(agent_a), {"contact_id": contact_id, "channel": "email", "text": "Third"}
    ).json()
    assert again["contact"]["id"] == contact_id == by_id["contact"]["id"]
    assert len({first["id"], again["id"], by_id["id"]}) == 3


def test_it_refuses_a_channel_the_contact_cannot_be_reached_on(
    email_inbox_a: Inbox, telegram_inbox_a: Inbox, agent_a: Any
) -> None:
    response = _post(
        _client(agent_a),
        {"contact": {"email": "no-chat@example.com"}, "channel": "telegram", "text": "Hi"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "channel"
    assert not Ticket.objects.exists()


def test_it_refuses_an_inbox_of_another_team_and_bad_bodies(
    email_inbox_b: Inbox, email_inbox_a: Inbox, agent_a: Any
) -> None:
    client = _client(agent_a)
    other = _post(
        client, {"contact": {"email": "x@example.com"}, "inbox_id": email_inbox_b.pk, "text": "Hi"}
    )
    assert other.status_code == 404
    both = _post(
        client,
        {"contact_id": 1, "contact": {"email": "x@example.com"}, "channel": "email", "text": "Hi"},
    )
    assert both.status_code == 422
    empty = _post(client, {"contact": {"email": "x@example.com"}, "channel": "email", "text": ""})
    assert empty.status_code == 422
    bad_address = _post(
        client, {"contact": {"email": "not an address"}, "channel": "email", "text": "Hi"}
    )
    assert bad_address.status_code == 422
    assert not Ticket.objects.exists()


def test_it_refuses_a_read_only_token(email_inbox_a: Inbox, agent_a: Any) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {factories.make_token(agent_a, 'read')}")
    response = _post(
        client, {"contact": {"email": "x@example.com"}, "channel": "email", "text": "Hi"}
    )
    assert response.status_code == 403


def test_it_returns_the_same_ticket_for_the_same_idempotency_key(
    email_inbox_a: Inbox, agent_a: Any
) -> None:
    client = _client(agent_a)
    body = {
        "contact": {"email": "retry@example.com"},
        "channel": "email",
        "text": "Once",
        "attachments": [{"name": "a.txt", "content_type": "text/plain", "data_base64": "aGk="}],
    }
    first = _post(client, body, key="create-1")
    second = _post(client, body, key="create-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert Message.objects.get().attachments.get().name == "a.txt"
