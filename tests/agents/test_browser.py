"""The inbox in headless Chromium against a real ASGI server, events crossing Redis.

The test process plays the channels (helpdesk.ingest.receive) and the delivery
worker; the browser plays the agents.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from agents.models import CannedResponse
from helpdesk import publisher
from helpdesk.channels import DeliveryError
from helpdesk.ingest import receive
from helpdesk.models import Agent, Message, Ticket
from helpdesk.tasks import deliver_message
from tests import factories, live
from tests.live import ROOT, DeskServer

# The shared fixtures, still importable from here for the `from tests.agents.test_browser
# import browser, server` lines of tests/agents/conftest.py and tests/channels_in/phone/
# conftest.py, left alone while the agents package moves; drop once those lines go.
browser = live.browser
server = live.live_desk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.live_desk("process"),  # events published here cross Redis to its sockets
]

ARTIFACTS = ROOT / "var" / "test-artifacts"
WAIT_MS = 10_000


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API keeps an event loop running in this thread; the ORM
    # calls here are plain blocking ones, as in any sync test.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def open_as(
    browser: Browser, desk: DeskServer, user: Any, path: str = "/", *, clock: bool = False
) -> Page:
    page = browser.new_context(base_url=desk.url).new_page()
    if clock:
        page.clock.install()  # fake timers, so the test can skip ahead to idle
    page.set_default_timeout(WAIT_MS)
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
    page.click("form button[type=submit]")
    page.wait_for_url(desk.url + "/")
    page.goto(path)
    expect(page.locator("#conn")).to_have_attribute("data-state", "open")
    return page


def _ingest(inbox: Any, **kwargs: Any) -> Ticket:
    ticket = receive(factories.inbound(inbox, **kwargs)).ticket
    publisher.flush()
    return ticket


class FailingSender:
    def send(self, message: Message) -> Any:
        raise DeliveryError("mailbox full (552)", permanent=True)


def test_it_shows_a_new_ticket_live_and_delivers_the_reply(
    live_desk: DeskServer, browser: Browser, agent_a: Any, email_inbox_a: Any, sender_override: Any
) -> None:
    CannedResponse.objects.create(shortcut="here", title="Here", body="Yes, we are here.")
    page = open_as(browser, live_desk, agent_a, "/?view=unassigned")
    expect(page.locator("#presence")).to_have_value("online")
    ticket = _ingest(email_inbox_a, subject="Live ticket one", text="Is anyone there?")
    row = page.locator(f'#rows li[data-ticket-id="{ticket.pk}"]')
    expect(row).to_contain_text("Live ticket one")  # no reload
    expect(page.locator('[data-count="unassigned"]')).to_have_text("1")
    row.locator("a.open").click()
    expect(page.locator("#timeline")).to_contain_text("Is anyone there?")
    expect(page.locator("#conn")).to_have_attribute("data-state", "open")
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("r")  # shortcut: reply
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("/here")
    page.keyboard.press("Tab")  # canned response by shortcut
    expect(page.locator("#reply-text")).to_have_value("Yes, we are here.")
    page.click("#reply button[name=send]")
    reply = page.locator("#timeline li.msg.outbound")
    expect(reply).to_contain_text("Yes, we are here.")
    expect(reply.locator(".delivery")).to_have_attribute("data-delivery", "queued")
    expect(page.locator("#reply-text")).to_have_value("")
    # The contact sidebar follows the status change the reply made, without a reload.
    sidebar_status = page.locator(f'#contact [data-ticket-id="{ticket.pk}"] .contact-ticket-status')
    expect(sidebar_status).to_have_attribute("data-status", "pending")
    expect(sidebar_status).to_have_text("Pending")

    sender_override("email", FailingSender())
    message = Message.objects.get(ticket=ticket, direction="outbound")
    deliver_message.call(message.pk)
    publisher.flush()
    expect(reply.locator(".delivery")).to_have_attribute("data-delivery", "failed")
    expect(reply).to_contain_text("mailbox full (552)")
    reply.locator("button.retry").click()
    expect(reply.locator(".delivery")).to_have_attribute("data-delivery", "queued")
    assert page.problems == []  # type: ignore[attr-defined]  # no script errors, no CSP refusals

    # A second customer message arrives in the open ticket.
    _ingest(email_inbox_a, text="Thanks!", in_reply_to=message_external_id(ticket))
    expect(page.locator("#timeline")).to_contain_text("Thanks!")


def message_external_id(ticket: Ticket) -> str:
    first = Message.objects.filter(ticket=ticket, direction="inbound").order_by("id").first()
    assert first is not None and first.external_id
    return first.external_id


def test_it_shows_who_is_viewing_and_replying(
    live_desk: DeskServer, browser: Browser, agent_a: Any, agent_a2: Any, email_inbox_a: Any
) -> None:
    ticket = _ingest(email_inbox_a, subject="Two agents")
    alice = open_as(browser, live_desk, agent_a, f"/t/{ticket.pk}/", clock=True)
    arash = open_as(browser, live_desk, agent_a2, f"/t/{ticket.pk}/")
    expect(arash.locator("#viewers")).to_contain_text("Alice is viewing")
    expect(alice.locator("#viewers")).to_contain_text("Arash is viewing")
    alice.locator("#reply-text").press_sequentially("Let me check that for you", delay=20)
    # One line per agent, saying what they write: a reply, then (switching tabs) a note.
    expect(arash.locator("#viewers")).to_have_text("Alice is replying…")
    alice.locator("label[for=mode-note]").click()
    expect(arash.locator("#viewers")).to_have_text("Alice is writing a note…")
    # Idle for longer than the away delay: Alice turns away, and her team sees it.
    alice.clock.fast_forward("05:30")
    expect(alice.locator("#presence")).to_have_value("away")
    alice_dot = arash.locator(f'#team-presence [data-agent-id="{agent_a.pk}"] .dot')
    expect(alice_dot).to_have_class("dot presence-away")
    alice.mouse.move(10, 10)  # back at the desk
    expect(alice.locator("#presence")).to_have_value("online")
    expect(alice_dot).to_have_class("dot presence-online")


def test_it_catches_up_after_the_server_restarts(
    live_desk: DeskServer, browser: Browser, agent_a: Any, email_inbox_a: Any
) -> None:
    ticket = _ingest(email_inbox_a, subject="Restart", text="first message")
    page = open_as(browser, live_desk, agent_a, f"/t/{ticket.pk}/")
    expect(page.locator("#timeline")).to_contain_text("first message")
    first_id = message_external_id(ticket)
    live_desk.stop()
    expect(page.locator("#conn")).to_have_attribute("data-state", "closed")
    texts = [f"while down {i}" for i in range(3)]
    for text in texts:
        _ingest(email_inbox_a, text=text, in_reply_to=first_id)
    live_desk.start()
    expect(page.locator("#conn")).to_have_attribute("data-state", "open", timeout=20_000)
    for text in texts:
        expect(page.locator("#timeline .body", has_text=text)).to_have_count(1)
    _ingest(email_inbox_a, text="after restart", in_reply_to=first_id)
    expect(page.locator("#timeline .body", has_text="after restart")).to_have_count(1)
    for text in texts:
        expect(page.locator("#timeline .body", has_text=text)).to_have_count(1)
    assert page.locator("#timeline li.msg").count() == 5


def test_it_renders_the_persian_inbox_right_to_left(
    live_desk: DeskServer, browser: Browser, agent_a: Any, email_inbox_a: Any
) -> None:
    Agent.objects.filter(user=agent_a).update(language="fa")
    ticket = _ingest(
        email_inbox_a,
        subject="سفارش ۱۲۳ نرسیده",
        text="سلام، سفارش من (order #123) هنوز نرسیده است.",
        name="مریم رضایی",
    )
    page = open_as(browser, live_desk, agent_a, f"/t/{ticket.pk}/?view=teams")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.locator("#nav")).to_contain_text("تیکت‌های من")
    persian_number = str(ticket.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    expect(page.locator(".ticket-head .num")).to_have_text(f"#{persian_number}")
    expect(page.locator("#timeline .body").first).to_have_attribute("dir", "auto")
    # The list sits on the right in RTL.
    nav_box = page.locator("#nav").bounding_box()
    ticket_box = page.locator("#ticket").bounding_box()
    assert nav_box and ticket_box and nav_box["x"] > ticket_box["x"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert page.problems == []  # type: ignore[attr-defined]
    # caret="initial": hiding the caret injects a <style>, which the CSP refuses.
    page.screenshot(path=str(ARTIFACTS / "inbox-fa.png"), full_page=True, caret="initial")
