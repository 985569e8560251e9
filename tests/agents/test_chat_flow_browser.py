"""Live chat end to end: a visitor in the widget and an agent in the inbox, one server.

Both pages run in the same headless Chromium against a real server process; the
test process only plays the delivery worker.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from helpdesk.models import Direction, Message
from helpdesk.tasks import deliver_message
from tests import factories
from tests.agents.test_browser import open_as
from tests.live import DeskServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_orm_beside_playwright"),
    pytest.mark.live_desk("process"),
]


@pytest.fixture
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; our ORM calls block.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _deliver_outbound(ticket_id: int, timeout: float = 10.0) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = Message.objects.filter(ticket_id=ticket_id, direction=Direction.OUTBOUND).first()
        if message is not None:
            assert deliver_message.call(message.pk) == "sent"
            return message
        time.sleep(0.1)
    raise AssertionError("the agent's reply was never stored")


def test_a_visitor_and_an_agent_chat_live_in_persian(
    live_desk: DeskServer, browser: Browser, agent_a: Any, team_a: Any
) -> None:
    factories.make_inbox(team_a, "webchat", name="Website chat")
    agent = open_as(browser, live_desk, agent_a, "/?view=unassigned")
    visitor = browser.new_context(base_url=live_desk.url, locale="fa-IR").new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto("/chat/demo/?lang=fa")
    visitor.locator("#helpdesk-chat .hc-launcher").click()
    box = visitor.locator("#helpdesk-chat .hc-input")

    box.fill("سلام، سفارش ۱۲۳ من کجاست؟")
    box.press("Enter")
    row = agent.locator("#list").get_by_text("سلام، سفارش ۱۲۳ من کجاست؟")
    expect(row).to_be_visible()  # the new ticket appeared without a reload
    row.click()
    agent.wait_for_url(f"{live_desk.url}/t/*/**")
    expect(agent.locator("#conn")).to_have_attribute("data-state", "open")
    ticket_id = int(agent.url.rstrip("/").split("/t/")[1].split("/")[0])

    box.press_sequentially("یک سوال دیگر", delay=30)
    expect(agent.locator("#typing")).not_to_be_empty()  # the customer is typing

    agent.locator("#reply-text").press_sequentially("در حال بررسی هستم", delay=30)
    expect(visitor.locator("#helpdesk-chat .hc-typing")).to_be_visible()
    agent.locator("#reply button[name=send]").click()
    _deliver_outbound(ticket_id)
    answer = visitor.locator("#helpdesk-chat .hc-from-agent .hc-bubble")
    expect(answer).to_have_text("در حال بررسی هستم")
    expect(agent.locator("#timeline")).to_contain_text("در حال بررسی هستم")
    assert agent.problems == []  # type: ignore[attr-defined]
