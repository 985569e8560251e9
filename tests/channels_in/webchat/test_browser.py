"""The widget in headless Chromium against a real Daphne server (PostgreSQL + Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from channels_in.webchat import live
from channels_in.webchat.models import WebchatConversation
from helpdesk.actions.messages import do_reply
from helpdesk.models import Message
from helpdesk.tasks import deliver_message
from tests.live import ROOT, DeskServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.live_desk("process"),  # the agent's events reach the widget across Redis
]

ARTIFACTS = ROOT / "var" / "test-artifacts"
TIMEOUT_MS = 15_000


@pytest.fixture
def browser_page(browser: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Playwright's sync API keeps an event loop running in this thread; the ORM
    # calls the test makes as the agent are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    context = browser.new_context(viewport={"width": 1100, "height": 760}, locale="fa-IR")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    # Shown by pytest when a test fails: what the widget said in the console.
    page.on("console", lambda msg: print(f"console.{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: print(f"page error: {exc}"))
    try:
        yield page
    finally:
        # With Playwright's loop running, the ORM used a connection of its own
        # for the test's agent actions: close it or the test database stays busy.
        connections.close_all()
        context.close()


def _reply(agent: Any, ticket_id: int, text: str) -> None:
    message = do_reply(agent, ticket_id, text)
    assert deliver_message.call(message.pk) == "sent"


def test_it_chats_in_persian_from_the_demo_page(
    live_desk: DeskServer, chat_a: Any, agent_a: Any, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_desk.url}/chat/demo/?lang=fa")
    page.locator("#helpdesk-chat .hc-launcher").click()
    panel = page.locator("#helpdesk-chat .hc")
    expect(panel).to_have_attribute("dir", "rtl")
    expect(page.locator("#helpdesk-chat .hc-previous")).to_be_hidden()  # not identified

    text = "سلام، سفارش شمارهٔ ۱۲۳ هنوز نرسیده است"
    page.locator("#helpdesk-chat .hc-input").fill(text)
    page.locator("#helpdesk-chat .hc-input").press("Enter")
    mine = page.locator("#helpdesk-chat .hc-from-visitor").first
    expect(mine).to_have_attribute("data-state", "sent")
    message = Message.objects.select_related("ticket").get(text=text)
    assert message.ticket.inbox_id == chat_a.inbox_id

    live.publish_agent_typing(message.ticket_id, "Alice", True)
    expect(page.locator("#helpdesk-chat .hc-typing")).to_contain_text("Alice")
    _reply(agent_a, message.ticket_id, "سلام! الان بررسی می‌کنم.")
    answer = page.locator("#helpdesk-chat .hc-from-agent .hc-bubble")
    expect(answer).to_have_text("سلام! الان بررسی می‌کنم.")
    expect(mine).to_have_attribute("data-state", "delivered")
    expect(page.locator("#helpdesk-chat .hc-typing")).to_be_hidden()

    page.locator("#helpdesk-chat .hc-input").fill("<b>not bold</b>")
    page.locator("#helpdesk-chat .hc-input").press("Enter")
    html = page.locator("#helpdesk-chat .hc-from-visitor .hc-bubble").nth(1)
    expect(html).to_have_text("<b>not bold</b>")
    assert html.locator("b").count() == 0

    page.reload()
    bubbles = page.locator("#helpdesk-chat .hc-bubble")
    expect(bubbles).to_have_text([text, "سلام! الان بررسی می‌کنم.", "<b>not bold</b>"])
    assert Message.objects.filter(ticket=message.ticket).count() == 3
    direction = bubbles.first.evaluate("node => getComputedStyle(node).direction")
    assert direction == "rtl"
    # Once the visitor is known by email, the portal's link to their requests shows.
    WebchatConversation.objects.update(email="visitor@example.com")
    page.reload()
    previous = page.locator("#helpdesk-chat .hc-previous")
    expect(previous).to_have_text("گفت‌وگوهای پیشین شما")
    expect(previous).to_have_attribute("href", f"{live_desk.url}/portal/fa/")
    expect(previous).not_to_have_attribute("hidden", "")  # shown once the socket is ready
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS / "widget-fa.png")))


def test_it_asks_the_configured_prechat_questions_in_persian(
    live_desk: DeskServer, chat_a: Any, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    from channels_in.webchat.models import PrechatField
    from helpdesk.models import AttributeDefinition, Ticket

    plan = AttributeDefinition.objects.create(
        entity="contact", key="plan", label="Plan", type="list", choices=["Gold", "Silver"]
    )
    chat_a.prechat_form = True
    chat_a.save()
    PrechatField.objects.create(config=chat_a, position=0, target="phone", required=True)
    PrechatField.objects.create(
        config=chat_a, position=1, target="attribute", attribute=plan, label_fa="طرح"
    )
    page = browser_page
    page.goto(f"{live_desk.url}/chat/demo/?lang=fa")
    page.locator("#helpdesk-chat .hc-launcher").click()
    form = page.locator("#helpdesk-chat .hc-prechat")
    expect(form).to_be_visible()
    expect(page.locator("#helpdesk-chat .hc-composer")).to_be_hidden()
    form.get_by_role("button").click()  # the required phone left empty
    expect(form.locator(".hc-prechat-error").first).to_have_text("لطفاً این را پر کنید.")
    form.get_by_label("شمارهٔ تلفن شما *").fill("۰۹۱۲ ۱۲۳ ۴۵۶۷")
    form.get_by_label("طرح").select_option("Gold")
    form.get_by_role("button").click()
    expect(page.locator("#helpdesk-chat .hc-composer")).to_be_visible()
    page.locator("#helpdesk-chat .hc-input").fill("سلام")
    page.locator("#helpdesk-chat .hc-input").press("Enter")
    expect(page.locator("#helpdesk-chat .hc-from-visitor").first).to_have_attribute(
        "data-state", "sent"
    )
    contact = Ticket.objects.select_related("contact").get(inbox=chat_a.inbox).contact
    assert contact.custom_attributes == {"plan": "Gold"}
    assert contact.identities.filter(kind="phone", address="+989121234567").exists()
