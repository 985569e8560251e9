from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions import messages as message_actions
from helpdesk.ingest import receive
from helpdesk.models import Attachment, DeliveryStatus, Inbox, Ticket
from tests import factories

API = "/api/v1"


@pytest.fixture
def make_ticket() -> Callable[..., Ticket]:
    """A ticket opened by an inbound message; keywords go to factories.inbound()."""
    counter = iter(range(1, 10_000))

    def _make(inbox: Inbox, **kwargs: Any) -> Ticket:
        n = next(counter)
        kwargs.setdefault("sender", f"customer{n}-{inbox.pk}@example.com")
        kwargs.setdefault("subject", f"Question {n}")
        kwargs.setdefault("received_at", timezone.now() - timedelta(hours=1, minutes=n))
        return receive(factories.inbound(inbox, **kwargs)).ticket

    return _make


@pytest.fixture
def ticket_a(email_inbox_a: Inbox, make_ticket: Callable[..., Ticket]) -> Ticket:
    return make_ticket(email_inbox_a, subject="Printer on fire", name="Maryam Ahmadi")


@pytest.fixture
def ticket_b(email_inbox_b: Inbox, make_ticket: Callable[..., Ticket]) -> Ticket:
    return make_ticket(email_inbox_b, subject="Team B business", name="Bita Bahrami")


WRITE_METHODS = {"post", "put", "patch", "delete"}
# The routers of helpdesk.api (other packages mount and test their own).
CORE_TAGS = {"me", "tickets", "ticket actions", "contacts", "events"}


def operations(
    methods: set[str] | None = None, tags: set[str] | None = None
) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path template, operation) of the endpoints in the served OpenAPI document."""
    from django.test import Client

    doc = Client().get(f"{API}/openapi.json").json()
    found = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if tags is not None and not tags & set(op.get("tags", ())):
                continue
            if methods is None or method in methods:
                found.append((method, path, op))
    return found


def fill(path: str, ids: dict[str, int]) -> str:
    """The path with each {param} replaced by ids[param] (1 for params nobody set up)."""
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture
def team_a_objects(ticket_a: Ticket, agent_a: Any) -> dict[str, int]:
    """Path parameter values naming objects of team A (ticket, contact, message, attachment)."""
    reply = message_actions.do_reply(
        agent_a,
        ticket_a.pk,
        "Hello",
        files=(message_actions.OutgoingFile("a.txt", "text/plain", b"team a secret"),),
    )
    message_actions.do_record_delivery(reply.pk, status=DeliveryStatus.FAILED, error="boom")
    return {
        "ticket_id": ticket_a.pk,
        "contact_id": ticket_a.contact_id,
        "message_id": reply.pk,
        "attachment_id": Attachment.objects.get(message=reply).pk,
    }
