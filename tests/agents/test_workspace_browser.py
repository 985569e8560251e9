"""The agent workspace in Chromium: a phone-sized reply flow, the per-agent theme, Jalali snooze.

Served by the test process itself (live_desk's default, "thread"); each test checks
several things so the suite stays short.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from helpdesk import jalali
from helpdesk.ingest import receive
from helpdesk.models import Agent, Message, Ticket
from tests import factories
from tests.live import ThreadDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1400, "height": 900}
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts"
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def sign_in(browser: Browser, desk: ThreadDesk, user: Any, viewport: dict[str, int]) -> Page:
    page = browser.new_context(base_url=desk.url, viewport=viewport).new_page()  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.problems = problems  # type: ignore[attr-defined]
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("main form button[type=submit]")
    page.wait_for_url(desk.url + "/")
    return page


def _ticket(inbox: Any, **kwargs: Any) -> Ticket:
    return receive(factories.inbound(inbox, **kwargs)).ticket


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret injects a <style>, which the CSP refuses.
    page.screenshot(path=str(ARTIFACTS / name), full_page=True, caret="initial")


def test_it_runs_the_reply_flow_on_a_phone_in_persian(
    live_desk: ThreadDesk, browser: Browser, agent_a: Any, email_inbox_a: Any
) -> None:
    Agent.objects.filter(user=agent_a).update(language="fa")
    ticket = _ticket(
        email_inbox_a, subject="سفارش ۱۲۳ نرسیده", text="سفارشم کجاست؟", name="مریم احمدی"
    )
    page = sign_in(browser, live_desk, agent_a, PHONE)
    page.goto("/?view=unassigned")
    expect(page.locator("#nav")).to_contain_text("تیکت‌های من")  # not «مال من»
    assert page.evaluate(NO_OVERFLOW)
    page.locator(f'#rows li[data-ticket-id="{ticket.pk}"] a.open').click()
    expect(page.locator("#timeline")).to_contain_text("سفارشم کجاست؟")
    expect(page.locator("#rows")).to_be_hidden()  # one pane at a time
    assert page.evaluate(NO_OVERFLOW)
    page.locator("#reply-text").fill("در حال بررسی هستیم")
    page.locator("#reply button[name=send]").click()
    expect(page.locator("#timeline li.msg.outbound")).to_contain_text("در حال بررسی هستیم")
    assert Message.objects.filter(ticket=ticket, direction="outbound").count() == 1
    shot(page, "inbox-phone-fa-conversation.png")
    page.get_by_role("link", name="مشتری").click()
    expect(page.locator("#contact")).to_contain_text("مریم احمدی")
    expect(page.locator("#timeline")).to_be_hidden()
    assert page.evaluate(NO_OVERFLOW)
    page.go_back()  # the browser's back returns to the conversation
    expect(page.locator("#timeline")).to_be_visible()
    page.locator(".back-to-list").click()
    expect(page.locator("#rows")).to_be_visible()
    expect(page.locator("#timeline")).to_have_count(0)
    assert page.evaluate(NO_OVERFLOW)
    page.get_by_role("button", name="منو").click()  # the top bar folds into a menu
    expect(page.get_by_role("link", name="صندوق ورودی")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    shot(page, "inbox-phone-fa-menu.png")
    assert page.problems == []  # type: ignore[attr-defined]


def test_it_keeps_the_dark_theme_per_agent_and_reports_bulk_results(
    live_desk: ThreadDesk, browser: Browser, agent_a: Any, email_inbox_a: Any
) -> None:
    first = _ticket(email_inbox_a, subject="First")
    _ticket(email_inbox_a, sender="second@example.com", subject="Second")
    page = sign_in(browser, live_desk, agent_a, WIDE)
    page.goto("/?view=unassigned")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    expect(page.locator("#help-button")).to_be_visible()
    page.locator("#account-button").click()
    page.get_by_role("button", name="Dark").click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    assert Agent.objects.get(user=agent_a).theme == "dark"
    # Select all, claim: both change and the page says so.
    page.locator("#select-all").check()
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator("#toast")).to_contain_text("2 updated, 0 skipped")
    assert Ticket.objects.filter(assignee=agent_a).count() == 2
    page.goto(f"/t/{first.pk}/")
    shot(page, "inbox-wide-en-dark.png")
    # Another device of the same agent opens dark from the first paint.
    other = sign_in(browser, live_desk, agent_a, WIDE)
    expect(other.locator("html")).to_have_attribute("data-theme-choice", "dark")
    expect(other.locator("html")).to_have_attribute("data-bs-theme", "dark")
    assert page.problems == [] and other.problems == []  # type: ignore[attr-defined]


def test_it_snoozes_with_the_jalali_picker(
    live_desk: ThreadDesk, browser: Browser, agent_a: Any, email_inbox_a: Any
) -> None:
    Agent.objects.filter(user=agent_a).update(language="fa", time_zone="Asia/Tehran")
    ticket = _ticket(email_inbox_a, subject="Snooze me")
    page = sign_in(browser, live_desk, agent_a, WIDE)
    page.goto(f"/t/{ticket.pk}/")
    page.locator("#snooze-button").click()
    picker = page.locator("#snooze-until")
    picker.click()
    expect(page.locator("jdp-container")).to_be_visible()  # the Jalali calendar opens
    year = jalali.to_jalali(datetime.now(ZoneInfo("Asia/Tehran")).date())[0] + 1
    picker.fill(f"{year}/01/15 10:30")
    picker.press("Enter")  # submits the form, as from any text field
    expect(page.locator(".snoozed")).to_be_visible()
    raw = factories.make_token(agent_a)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="192.0.2.41")
    body = api.get(f"/api/v1/tickets/{ticket.pk}").json()
    until = datetime.fromisoformat(body["snoozed_until"]).astimezone(ZoneInfo("Asia/Tehran"))
    assert until.date() == jalali.from_jalali(year, 1, 15)
    assert (until.hour, until.minute) == (10, 30)
    assert page.problems == []  # type: ignore[attr-defined]
