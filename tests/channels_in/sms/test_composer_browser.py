"""The SMS counter under the composer, in headless Chromium, in English then Persian."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from channels_in.sms.models import SmsConfig
from helpdesk.actions.messages import do_reply
from helpdesk.ingest import receive
from helpdesk.models import Agent
from helpdesk.tasks import deliver_message
from tests import live
from tests.agents.test_browser import open_as
from tests.channels_in.sms.conftest import inbound_sms

browser = live.browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.live_desk("process"),
]


@pytest.fixture
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.usefixtures("_orm_beside_playwright")
def test_it_counts_segments_and_cost_and_holds_back_a_reply_too_long(
    live_desk: Any, browser: Browser, agent_a: Any, kavenegar: SmsConfig, gateways: Any
) -> None:
    ticket = receive(inbound_sms(kavenegar.inbox)).ticket
    page = open_as(browser, live_desk, agent_a, f"/t/{ticket.pk}/")
    counter = page.locator("#sms-counter")
    box = page.locator("#reply-text")
    send = page.locator("#reply button[name=send]")
    expect(counter).to_be_hidden()
    box.fill("a" * 161)
    expect(counter).to_have_text("2 SMS · 161/306 characters · about 200 IRR")
    box.fill("سلام " * 14)  # 69 after trimming: one UCS-2 segment
    expect(counter).to_have_text("1 SMS · 69/70 characters · about 120 IRR")
    box.fill("س" * 202)  # 4 parts of 67: over the inbox's 3
    expect(counter).to_have_text("Too long: 4 SMS; this inbox sends at most 3.")
    expect(send).to_be_disabled()
    page.locator("label[for=mode-note]").click()  # a note has no SMS limit
    expect(send).to_be_enabled()
    expect(counter).to_be_hidden()
    assert page.problems == []  # type: ignore[attr-defined]

    # A reply the provider took, then its delivery report: the badge follows live.
    message = do_reply(agent_a, ticket.pk, "hello")
    deliver_message.call(message.pk)
    message.refresh_from_db()
    badge = page.locator(f"#m-{message.pk} .sms-status")
    provider_id = str(message.external_id).removeprefix("sms-out:")
    report = f"{live_desk.url}/channels/sms/{kavenegar.inbox_id}/{kavenegar.webhook_secret}/report/"
    assert httpx.post(report, data={"messageid": provider_id, "status": "10"}).status_code == 200
    expect(badge).to_have_text("Delivered")

    Agent.objects.filter(user=agent_a).update(language="fa")
    page = open_as(browser, live_desk, agent_a, f"/t/{ticket.pk}/")
    expect(page.locator(f"#m-{message.pk} .sms-status")).to_have_text("تحویل شد")
    page.locator("#reply-text").fill("س" * 71)
    expect(page.locator("#sms-counter")).to_have_text("۲ پیامک · ۷۱/۱۳۴ نویسه · حدود ۲۴۰ IRR")
    assert page.problems == []  # type: ignore[attr-defined]
