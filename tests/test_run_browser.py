"""Headless Chromium logs in to the run command's desk with the printed demo login."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.live import RunCommandDesk

pytestmark = [pytest.mark.browser, pytest.mark.live_desk("run")]


def test_it_logs_in_with_the_demo_admin_and_lists_tickets(
    live_desk: RunCommandDesk, browser: Any
) -> None:
    page = browser.new_page()
    page.goto(live_desk.url + "/")
    expect(page).to_have_url(f"{live_desk.url}/login/?next=/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", live_desk.password)
    page.press("input[name=password]", "Enter")
    expect(page).to_have_url(f"{live_desk.url}/", timeout=30_000)
    expect(page.get_by_role("region", name="Tickets")).to_be_visible()
    # The admin's own queue is empty; every team's demo tickets, in both languages,
    # are on the list of all tickets.
    page.goto(live_desk.url + "/?view=all")
    expect(page.get_by_text("Cannot log in to my account").first).to_be_visible()
    expect(page.get_by_text("مشکل در پرداخت فاکتور").first).to_be_visible()
