"""The widget's inline rating in headless Chromium, in Persian (a real Daphne over Redis)."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.models import Message
from helpdesk.surveys.actions import do_send_survey_now
from helpdesk.surveys.models import SurveyResponse
from helpdesk.tasks import deliver_message
from tests.channels_in.webchat.test_browser import ARTIFACTS, browser_page  # noqa: F401
from tests.live import DeskServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.live_desk("process"),
]


def test_it_rates_inline_in_the_widget(
    live_desk: DeskServer,
    chat_a: Any,
    agent_a: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_desk.url}/chat/demo/?lang=fa")
    page.locator("#helpdesk-chat .hc-launcher").click()
    page.locator("#helpdesk-chat .hc-input").fill("مشکلم حل شد، ممنون")
    page.locator("#helpdesk-chat .hc-input").press("Enter")
    expect(page.locator("#helpdesk-chat .hc-from-visitor").first).to_have_attribute(
        "data-state", "sent"
    )
    ticket_id = Message.objects.get(text="مشکلم حل شد، ممنون").ticket_id
    request = do_send_survey_now(agent_a, ticket_id)
    assert deliver_message.call(request.message_id or 0) == "sent"

    buttons = page.locator("#helpdesk-chat .hc-survey .hc-rate")
    expect(buttons).to_have_count(5)
    buttons.nth(3).click()  # 4 of 5
    expect(buttons.nth(3)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#helpdesk-chat .hc-survey-thanks")).not_to_be_empty()
    buttons.nth(3).click()  # a double click stores one answer
    expect(buttons.nth(3)).to_have_attribute("aria-pressed", "true")
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.answered_via, answer.ticket_id) == (4, "webchat", ticket_id)
    page.reload()  # the widget stays open; its history shows the answer given
    expect(page.locator("#helpdesk-chat .hc-rate[aria-pressed=true]")).to_have_count(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-survey-fa.png"))
