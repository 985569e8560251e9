"""Headless Chromium logs in to the run command's desk with the printed demo login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import chromium
from tests.rundesk_server import Desk, running_desk

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with running_desk(Path(tmp_path_factory.mktemp("rundesk-browser"))) as running:
        yield running


def test_it_logs_in_with_the_demo_admin_and_lists_tickets(desk: Desk) -> None:
    with sync_playwright() as pw:
        browser = chromium.launch(pw)
        try:
            page = browser.new_page()
            page.goto(desk.url + "/")
            expect(page).to_have_url(f"{desk.url}/login/?next=/")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", desk.password)
            page.press("input[name=password]", "Enter")
            expect(page).to_have_url(f"{desk.url}/", timeout=30_000)
            expect(page.get_by_role("region", name="Tickets")).to_be_visible()
            # The admin's own queue is empty; every team's demo tickets, in both languages,
            # are on the list of all tickets.
            page.goto(desk.url + "/?view=all")
            expect(page.get_by_text("Cannot log in to my account").first).to_be_visible()
            expect(page.get_by_text("مشکل در پرداخت فاکتور").first).to_be_visible()
        finally:
            browser.close()
