"""The customer portal in Chromium: sign in by the link the SMTP test server received,
list, reply (the agent's open ticket shows it live), close; a reused link gets a friendly
page. English on a wide screen, Persian (RTL, Persian digits, a translated file picker)
on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from helpdesk.models import Direction, Message, Ticket, TicketStatus
from tests.agents.test_workspace_browser import NO_OVERFLOW, PHONE, WIDE, sign_in
from tests.channels_in.email.servers import SmtpRecorder
from tests.channels_in.portal.conftest import link_in, mail_text
from tests.live import ThreadDesk
from tests.ui.test_pages import _severe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _customer(browser: Browser, desk: ThreadDesk, viewport: dict[str, int]) -> Page:
    page = browser.new_context(base_url=desk.url, viewport=viewport).new_page()  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    return page


def _sign_in(page: Page, smtp: SmtpRecorder, locale: str, address: str, button: str) -> str:
    """Ask for a link on the sign-in page, open the mailed link, continue; the link's path."""
    page.goto(f"/portal/{locale}/")  # not signed in: the sign-in page
    page.fill("#portal-identity", address)
    page.get_by_role("button", name=button).click()
    expect(page.locator("#portal-sent")).to_be_visible()
    path = link_in(mail_text(smtp))
    page.goto(path)
    page.click("#portal-continue")
    page.wait_for_url(f"**/portal/{locale}/")
    return path


@pytest.mark.live_desk("process")  # the agent's socket needs the real server and Redis layer
def test_it_signs_in_by_mail_and_replies_live_to_the_agent_in_english(
    live_desk: Any,
    browser: Browser,
    agent_a: Any,
    smtp: SmtpRecorder,
    mailbox: Any,
    portal_inbox: Any,
    sara_ticket: Ticket,
) -> None:
    agent = sign_in(browser, live_desk, agent_a, WIDE)
    agent.goto(f"/t/{sara_ticket.pk}/")
    expect(agent.locator("#timeline")).to_contain_text("Hello, I need help.")
    expect(agent.locator("#conn")).to_have_attribute("data-state", "open")
    page = _customer(browser, live_desk, WIDE)
    path = _sign_in(page, smtp, "en", "Sara@Example.com", "Send me a sign-in link")
    expect(page.locator(".portal-list")).to_contain_text("Refund")
    expect(page.locator(".portal-status")).to_have_text("Received")
    page.get_by_role("link", name="Refund").click()
    page.fill("#portal-reply", "The order number is 1093.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".portal-thread")).to_contain_text("The order number is 1093.")
    # The agent's open ticket shows it without a reload.
    expect(agent.locator("#timeline")).to_contain_text("The order number is 1093.")
    assert Message.objects.filter(
        ticket=sara_ticket, inbox=portal_inbox, direction=Direction.INBOUND
    ).exists()
    page.get_by_role("button", name="Close this request").click()
    expect(page.locator("#portal-status")).to_have_text("Closed")
    sara_ticket.refresh_from_db()
    assert sara_ticket.status == TicketStatus.CLOSED
    # The link worked once.
    page.goto(path)
    expect(page.locator("#portal-refused")).to_have_text("This link no longer works")
    assert agent.problems == []  # type: ignore[attr-defined]


def test_it_runs_in_persian_on_a_phone(
    live_desk: ThreadDesk,
    browser: Browser,
    smtp: SmtpRecorder,
    mailbox: Any,
    portal_inbox: Any,
    sara_ticket: Ticket,
) -> None:
    page = _customer(browser, live_desk, PHONE)
    path = _sign_in(page, smtp, "fa", "sara@example.com", "پیوند ورود را بفرست")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    digits = str(sara_ticket.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    expect(page.locator(".portal-list")).to_contain_text(f"#{digits}")
    expect(page.locator(".portal-status")).to_have_text("دریافت شد")
    assert page.evaluate(NO_OVERFLOW)
    assert _severe(page, None) == []
    page.get_by_role("link", name="Refund").click()
    assert _severe(page, None) == []  # axe-core: the list and the request, in Persian
    page.fill("#portal-reply", "شمارهٔ سفارش ۱۰۹۳ است.")
    # The file picker speaks Persian (the browser's own input, in English, is hidden),
    # is reached by the keyboard and named for screen readers by its label.
    picker = page.get_by_label("انتخاب فایل‌ها")
    expect(page.locator("#portal-reply-files-chosen")).to_have_text("فایلی انتخاب نشده")
    page.keyboard.press("Tab")
    expect(picker).to_be_focused()
    two: list[FilePayload] = [
        {"name": n, "mimeType": "text/plain", "buffer": b"1093"} for n in ("a.txt", "b.txt")
    ]
    picker.set_input_files(two)
    expect(page.locator("#portal-reply-files-chosen")).to_have_text("۲ فایل انتخاب شد")
    receipt: FilePayload = {"name": "رسید.txt", "mimeType": "text/plain", "buffer": b"1093"}
    picker.set_input_files(receipt)
    expect(page.locator("#portal-reply-files-chosen")).to_have_text("رسید.txt")
    assert _severe(page, None) == []
    page.get_by_role("button", name="ارسال پاسخ").click()
    expect(page.locator(".portal-thread")).to_contain_text("شمارهٔ سفارش ۱۰۹۳ است.")
    expect(page.locator(".portal-thread")).to_contain_text("رسید.txt")
    assert page.evaluate(NO_OVERFLOW)
    page.get_by_role("button", name="بستن این درخواست").click()
    expect(page.locator("#portal-status")).to_have_text("بسته")
    expect(page.get_by_role("button", name="بازگشایی این درخواست")).to_be_visible()
    page.goto(path)
    expect(page.locator("#portal-refused")).to_have_text("این پیوند دیگر کار نمی‌کند")
    assert page.evaluate(NO_OVERFLOW)
