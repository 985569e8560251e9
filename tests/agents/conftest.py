from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpdesk.ingest import receive
from tests import factories
from tests.agents.test_browser import browser, server  # noqa: F401  (fixtures)


@pytest.fixture
def login() -> Any:
    """A test client logged in as `user`."""

    def _login(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def ticket_a(email_inbox_a: Any) -> Any:
    """A new ticket in team A, from one inbound email."""
    return receive(factories.inbound(email_inbox_a, subject="Printer on fire")).ticket


@pytest.fixture
def ticket_b(email_inbox_b: Any) -> Any:
    """A new ticket in team B."""
    return receive(
        factories.inbound(email_inbox_b, sender="other@example.com", subject="Team B issue")
    ).ticket
