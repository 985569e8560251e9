"""The widget's looks in headless Chromium: Persian by the page's language, full screen on
a phone, one offline notice. Served in the test process (no agent events cross processes)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.live import ThreadDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
PHONE: ViewportSize = {"width": 390, "height": 844}


def test_it_speaks_the_pages_language_fills_a_phone_and_says_once_that_no_one_is_online(
    live_desk: ThreadDesk, chat_a: Any, browser: Browser
) -> None:
    # An English browser on a Persian page: the page's language wins.
    context = browser.new_context(base_url=live_desk.url, viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.goto("/chat/demo/?lang=fa")
    expect(page.locator("main h1")).to_have_text("فروشگاه نمایشی")
    launcher = page.locator("#helpdesk-chat .hc-launcher")
    expect(launcher).to_have_attribute("aria-label", "با ما گفت‌وگو کنید")
    assert page.evaluate(NO_OVERFLOW)
    launcher.click()
    widget = page.locator("#helpdesk-chat .hc")
    expect(widget).to_have_attribute("dir", "rtl")
    expect(widget.locator(".hc-input")).to_have_attribute("placeholder", "پیامی بنویسید…")
    expect(widget.locator(".hc-send")).to_have_text("ارسال")
    notice = widget.locator(".hc-notice")
    expect(notice).to_contain_text("اکنون در دسترس نیستیم. پیام بگذارید تا همین‌جا پاسخ دهیم.")
    text = notice.inner_text()
    assert text.count("در دسترس نیستیم") == 1 and not re.search("[0-9]", text), text
    panel = widget.locator(".hc-panel").bounding_box()
    assert panel is not None and (panel["width"], panel["height"]) == (390, 844)
    assert page.evaluate(NO_OVERFLOW)

    # The same visitor on the English page: the panel stays open, in English, left to right.
    page.goto("/chat/demo/?lang=en")
    expect(page.locator("main h1")).to_have_text("Demo shop")
    expect(widget).to_have_attribute("dir", "ltr")
    expect(notice).to_contain_text(
        "We are away right now. Leave a message and we will answer here."
    )
    assert notice.inner_text().count("away") == 1
    assert page.evaluate(NO_OVERFLOW)
    context.close()
