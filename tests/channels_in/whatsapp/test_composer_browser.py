"""The WhatsApp composer in Chromium: open window, then closed (template picker), English
and Persian on a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from channels_in.whatsapp.models import SentPart, TemplateSend, WhatsAppConfig, WhatsAppTemplate
from helpdesk.models import Agent, DeliveryStatus, Direction, Message, Ticket
from tests.channels_in.whatsapp.conftest import envelope, post, status, text_message
from tests.live import DeskServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.live_desk("process"),  # statuses recorded here reach its sockets over Redis
]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are plain blocking ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def _sent_reply(ticket: Ticket, n: int) -> Message:
    """A reply WhatsApp accepted as wamid.OUT<n> (what the sender leaves behind)."""
    reply = Message.objects.create(
        ticket=ticket,
        inbox_id=ticket.inbox_id,
        direction=Direction.OUTBOUND,
        text=f"پاسخ {n}",
        delivery_status=DeliveryStatus.SENT,
        created_at=timezone.now(),
    )
    SentPart.objects.create(message=reply, index=0, wamid=f"wamid.OUT{n}")
    return reply


def test_the_composer_offers_templates_once_the_window_closes(
    live_desk: DeskServer, browser: Browser, agent_a: Any, wa_config: WhatsAppConfig
) -> None:
    WhatsAppTemplate.objects.create(
        config=wa_config, name="order_update", body="{{1}} عزیز، سفارش {{2}} ارسال شد."
    )
    post(envelope(messages=[text_message("سلام")]))
    ticket = Ticket.objects.get()
    context = browser.new_context(base_url=live_desk.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", agent_a.username)
    page.fill("#id_password", "pw-" + agent_a.username)
    page.click("form button[type=submit]")
    page.wait_for_url(live_desk.url + "/")

    first, second = (_sent_reply(ticket, n) for n in (1, 2))
    post(envelope(statuses=[status("wamid.OUT1", "delivered"), status("wamid.OUT1", "read")]))
    page.goto(f"/t/{ticket.pk}/")
    window = page.locator("#whatsapp-window")
    expect(window).to_contain_text("you can reply freely until")
    expect(page.locator("#reply button[type=submit]").first).to_be_enabled()
    # Statuses: the stored one on load, a new one live over the inbox's socket.
    expect(page.locator(f"#m-{first.pk} .whatsapp-status")).to_have_text("Read")
    expect(page.locator(f"#m-{second.pk} .whatsapp-status")).to_have_count(0)
    post(envelope(statuses=[status("wamid.OUT2", "delivered")]))
    expect(page.locator(f"#m-{second.pk} .whatsapp-status")).to_have_text("Delivered")

    Message.objects.filter(direction=Direction.INBOUND).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    page.goto(f"/t/{ticket.pk}/")
    expect(window).to_contain_text("24-hour WhatsApp window is closed")
    expect(page.locator("#reply button[type=submit]").first).to_be_disabled()
    values = window.locator("input[name=value]")
    expect(values).to_have_count(2)
    expect(window.locator(".whatsapp-template-body")).to_contain_text("سفارش {{2}}")
    values.nth(0).fill("زهرا")
    values.nth(1).fill("۱۰۴۲")
    with page.expect_response(f"**/channels/whatsapp/tickets/{ticket.pk}/template/") as sent:
        window.get_by_role("button", name="Send template").click()
    assert sent.value.status == 204
    assert TemplateSend.objects.get().message.text == "زهرا عزیز، سفارش ۱۰۴۲ ارسال شد."

    Agent.objects.filter(user=agent_a).update(language="fa")
    page.goto(f"/t/{ticket.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(window).to_contain_text("پنجرهٔ ۲۴ساعتهٔ واتس‌اپ این مشتری بسته است")
    expect(window.locator("input[name=value]").first).to_have_attribute("placeholder", "مقدار ۱")
    expect(window.get_by_role("button", name="فرستادن قالب")).to_be_visible()
    expect(page.locator(f"#m-{first.pk} .whatsapp-status")).to_have_text("خوانده شد")
    assert page.evaluate(NO_OVERFLOW)
    context.close()
