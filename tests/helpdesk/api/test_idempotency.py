"""`Idempotency-Key`: a client that retries a POST gets the first answer, not a second action."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from helpdesk.automation.scheduler import run_due_work
from helpdesk.ingest import receive
from helpdesk.models import Direction, IdempotentRequest, Message, Ticket
from tests import factories
from tests.helpdesk.concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


@pytest.fixture
def ticket(email_inbox_a: Any) -> Ticket:
    return receive(factories.inbound(email_inbox_a, text="سلام، سفارشم نرسید")).ticket


def _client(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {factories.make_token(user)}")


def _note(client: Client, ticket: Ticket, text: str, key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        f"/api/v1/tickets/{ticket.pk}/notes",
        json.dumps({"text": text}),
        content_type="application/json",
        headers=headers,
    )


def _notes(ticket: Ticket) -> int:
    return Message.objects.filter(ticket=ticket, direction=Direction.NOTE).count()


def test_it_stores_a_retried_note_once_and_replays_the_first_response(
    ticket: Ticket, agent_a: Any
) -> None:
    client = _client(agent_a)
    first = _note(client, ticket, "یادداشت: مشتری ویژه", "k-1")
    again = _note(client, ticket, "یادداشت: مشتری ویژه", "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert _notes(ticket) == 1


def test_it_refuses_the_same_key_with_another_body(ticket: Ticket, agent_a: Any) -> None:
    client = _client(agent_a)
    assert _note(client, ticket, "one", "k-2").status_code == 201
    refused = _note(client, ticket, "two", "k-2")
    assert refused.status_code == 422
    assert refused.json()["field"] == "Idempotency-Key"
    assert _notes(ticket) == 1


def test_it_keeps_keys_per_token(ticket: Ticket, agent_a: Any, agent_a2: Any) -> None:
    assert _note(_client(agent_a), ticket, "same", "shared").status_code == 201
    assert _note(_client(agent_a2), ticket, "same", "shared").status_code == 201
    assert _notes(ticket) == 2


def test_it_acts_every_time_without_a_key(ticket: Ticket, agent_a: Any) -> None:
    client = _client(agent_a)
    _note(client, ticket, "no key", None)
    _note(client, ticket, "no key", None)
    assert _notes(ticket) == 2


def test_it_stores_a_refusal_too_so_a_retry_is_refused_alike(ticket: Ticket, agent_b: Any) -> None:
    client = _client(agent_b)  # team B cannot see team A's ticket
    first = _note(client, ticket, "intrusion", "k-3")
    again = _note(client, ticket, "intrusion", "k-3")
    assert first.status_code == again.status_code == 404
    assert _notes(ticket) == 0


def test_it_refuses_a_malformed_key(ticket: Ticket, agent_a: Any) -> None:
    client = _client(agent_a)
    assert _note(client, ticket, "x", "k" * 256).status_code == 400
    assert _note(client, ticket, "x", "   ").status_code == 400
    assert _notes(ticket) == 0


def test_it_runs_two_concurrent_retries_once(ticket: Ticket, agent_a: Any) -> None:
    token = factories.make_token(agent_a)

    def send() -> int:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.post(
            f"/api/v1/tickets/{ticket.pk}/notes",
            json.dumps({"text": "همزمان"}),
            content_type="application/json",
            headers={"Idempotency-Key": "race"},
        )
        return int(response.status_code)

    assert race(send, send) == [201, 201]
    assert _notes(ticket) == 1


def test_it_forgets_keys_after_a_day(ticket: Ticket, agent_a: Any) -> None:
    client = _client(agent_a)
    _note(client, ticket, "old", "k-4")
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert run_due_work()["idempotency_keys_forgotten"] == 1
    assert _note(client, ticket, "old", "k-4").status_code == 201
    assert _notes(ticket) == 2
