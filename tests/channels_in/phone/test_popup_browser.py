"""The ringing pop-up and the call form in headless Chromium.

The phone system is played by the test (real HTTP posts to the CTI endpoint of
the running server); the browser plays the agent of the line's team.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from channels_in.phone.models import Call
from helpdesk.models import Ticket
from tests.agents.test_browser import open_as
from tests.live import DeskServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("_orm_beside_playwright"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.live_desk("process"),
]

CALLER = {"from": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "to": "+982112345678", "direction": "in", "callId": "pop-1"}


def test_it_pops_up_the_caller_and_turns_into_the_call_form(
    live_desk: DeskServer, browser: Browser, agent_a: Any, phone_line: Any
) -> None:
    line, token = phone_line
    page = open_as(browser, live_desk, agent_a)
    cti = f"{live_desk.url}/api/v1/cti/{token}"

    assert httpx.post(cti, data={**CALLER, "event": "newCall"}).json() == {}
    popup = page.locator("#call-popup")
    expect(popup).to_be_visible()
    expect(popup.locator(".number")).to_have_text("+989121234567")
    expect(popup.locator(".caller.unknown")).to_be_visible()

    httpx.post(cti, data={**CALLER, "event": "answer", "user": "alice"})
    notes = popup.locator("textarea[name=notes]")
    expect(notes).to_be_visible()
    notes.fill("مشتری درباره فاکتور پرسید")
    httpx.post(cti, data={**CALLER, "event": "hangup", "cause": "normalClearing"})
    popup.locator("select[name=ticket]").select_option("new")
    popup.locator("button[type=submit]").click()

    page.wait_for_url(f"{live_desk.url}/t/*/")
    call = Call.objects.get(call_id="pop-1")
    assert call.notes == "مشتری درباره فاکتور پرسید" and call.agent_id == agent_a.pk
    assert call.ticket_id is not None
    assert Ticket.objects.get(pk=call.ticket_id).inbox_id == line.inbox_id
    expect(page.locator("#timeline")).to_contain_text("مشتری درباره فاکتور پرسید")
    assert page.problems == []  # type: ignore[attr-defined]


def test_it_closes_the_card_of_a_call_nobody_here_answered(
    live_desk: DeskServer, browser: Browser, agent_a: Any, phone_line: Any
) -> None:
    _, token = phone_line
    page = open_as(browser, live_desk, agent_a, "/?view=unassigned")
    cti = f"{live_desk.url}/api/v1/cti/{token}"
    call = {**CALLER, "callId": "pop-2"}
    httpx.post(cti, data={**call, "event": "newCall"})
    popup = page.locator("#call-popup")
    expect(popup).to_be_visible()
    httpx.post(cti, data={**call, "event": "hangup", "cause": "cancel"})
    expect(popup.locator("h2")).to_have_text("Missed call")
    # The missed call became a ticket to call back, listed without reload.
    expect(page.locator("#list")).to_contain_text("+989121234567")
    # The inbox's navigation links the phone's call log (a page its spec declares).
    page.locator("#nav").get_by_role("link", name="Calls").click()
    page.wait_for_url(f"{live_desk.url}/calls/")
    expect(page.locator("#calls")).to_contain_text("+989121234567")
    assert page.problems == []  # type: ignore[attr-defined]
