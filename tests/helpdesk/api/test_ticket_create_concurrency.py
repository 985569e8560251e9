"""Concurrent retries of `POST /api/v1/tickets` with one Idempotency-Key make one ticket
(PostgreSQL, two real connections racing)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from helpdesk.models import Contact, Inbox, Message, Ticket
from tests import factories
from tests.helpdesk.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_creates_one_ticket_when_retries_race(email_inbox_a: Inbox, agent_a: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.fail("this race needs PostgreSQL (DATABASE_URL)")
    token = factories.make_token(agent_a, "tickets")
    body = json.dumps(
        {"contact": {"email": "race@example.com"}, "channel": "email", "text": "Only once"}
    )

    def send() -> tuple[int, int]:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.post(
            "/api/v1/tickets",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "race-1"},
        )
        return response.status_code, response.json()["id"]

    results = race(send, send, send, send)
    assert {status for status, _ in results} == {201}
    assert len({ticket_id for _, ticket_id in results}) == 1
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert Contact.objects.count() == 1


def test_it_creates_one_contact_when_two_new_conversations_race(
    email_inbox_a: Inbox, agent_a: Any
) -> None:
    token = factories.make_token(agent_a, "tickets")

    def send(text: str) -> int:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        body = {"contact": {"email": "new@example.com"}, "channel": "email", "text": text}
        return client.post(
            "/api/v1/tickets", json.dumps(body), content_type="application/json"
        ).status_code

    assert race(lambda: send("one"), lambda: send("two")) == [201, 201]
    assert Ticket.objects.count() == 2 and Contact.objects.count() == 1
