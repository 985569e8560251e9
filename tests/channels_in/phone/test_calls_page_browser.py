"""The calls page on a phone, in English and in Persian (headless Chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from channels_in.phone.manual import log_call
from helpdesk.digits import persian_digits
from helpdesk.models import Agent
from tests.live import ThreadDesk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("_orm_beside_playwright"),
    pytest.mark.django_db(transaction=True),
]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def test_it_lists_calls_as_cards_on_a_phone_in_english_and_persian(
    live_desk: ThreadDesk, browser: Browser, agent_a: Any, phone_line: Any
) -> None:
    line, _ = phone_line
    call = log_call(
        agent_a,
        line_id=line.pk,
        number="09121234567",
        direction="in",
        outcome="answered",
        talk_seconds=245,
    )
    context = browser.new_context(base_url=live_desk.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", agent_a.username)
    page.fill("#id_password", "pw-" + agent_a.username)
    page.click("form button[type=submit]")
    page.wait_for_url(live_desk.url + "/")

    for language, talk in (("en", "4:05"), ("fa", "۴:۰۵")):
        Agent.objects.filter(user=agent_a).update(language=language)
        page.goto("/calls/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert page.evaluate(NO_OVERFLOW), language
        card = page.locator("#calls tbody tr").first
        expect(card).to_contain_text("+989121234567")
        expect(card.locator("[data-label]").nth(7)).to_contain_text(talk)
        # The ticket link is whole on screen, not clipped by the table's edge.
        link = card.get_by_role("link")
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, language
        number = str(call.ticket_id)
        expect(link).to_have_text("#" + (persian_digits(number) if language == "fa" else number))
    # In Persian the time is a Jalali date (year 14xx) in Persian digits.
    expect(card.locator("time")).to_contain_text("۱۴۰")
    context.close()
