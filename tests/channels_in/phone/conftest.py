from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from channels_in.phone.models import PhoneLine
from tests import factories
from tests.agents.test_browser import browser, server  # noqa: F401  (fixtures)


@pytest.fixture
def phone_line(team_a: Any) -> tuple[PhoneLine, str]:
    """A phone line of team A and its raw CTI token."""
    inbox = factories.make_inbox(team_a, "phone", name="Main line")
    line = PhoneLine(inbox=inbox, numbers=["+982112345678"], blocked_numbers=["+989120000000"])
    token = line.new_token()
    line.save()
    return line, token


@pytest.fixture
def cti(phone_line: tuple[PhoneLine, str]) -> Any:
    """Post CTI events for the line: cti(event="newCall", ...) -> response."""
    _, token = phone_line
    client = Client()

    def post(as_json: bool = False, **fields: Any) -> Any:
        data = {"from": "09121234567", "to": "+982112345678", "direction": "in"} | fields
        if as_json:
            return client.post(f"/api/v1/cti/{token}", data, content_type="application/json")
        return client.post(f"/api/v1/cti/{token}", data)

    return post


@pytest.fixture
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; the ORM calls of
    # the test itself are plain blocking ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
