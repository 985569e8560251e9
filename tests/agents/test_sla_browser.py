"""SLA in Chromium: the countdown badges kept current by agents/sla.js, the "Breached"
list with its count, on a phone in Persian and wide in English; no CSP complaint."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from helpdesk.models import Agent
from helpdesk.sla import clocks
from helpdesk.sla.models import TicketSla
from helpdesk.sla.scheduler import tick
from tests.agents.test_workspace_browser import NO_OVERFLOW, PHONE, WIDE, _ticket, sign_in
from tests.helpdesk.sla.conftest import make_policy
from tests.live import ThreadDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_badges_count_down_and_the_breached_list_in_persian_and_english(
    live_desk: ThreadDesk, browser: Browser, agent_a: Any, email_inbox_a: Any
) -> None:
    make_policy("Standard", first=45)
    late = _ticket(email_inbox_a, sender="late@example.com", subject="سفارش دیر")
    soon = _ticket(email_inbox_a, sender="soon@example.com", subject="Soon order")
    row = TicketSla.objects.get(pk=late.pk)
    row.first_response_due_at = timezone.now() - timedelta(minutes=5)
    clocks.refresh(row, timezone.now())
    row.save()
    tick()

    Agent.objects.filter(user=agent_a).update(language="fa")
    page = sign_in(browser, live_desk, agent_a, PHONE)
    page.goto("/?view=breached")
    expect(page.locator('[data-count="breached"]').first).to_have_text("۱")
    badge = page.locator(f'#rows li[data-ticket-id="{late.pk}"] .sla-badge')
    expect(badge).to_have_class(re.compile("text-bg-danger"))
    expect(badge.locator(".sla-text")).to_have_text(re.compile("[۰-۹]"))  # Intl, Persian digits
    expect(page.locator(f'#rows li[data-ticket-id="{soon.pk}"]')).to_have_count(0)
    assert page.evaluate(NO_OVERFLOW)
    assert page.problems == []  # type: ignore[attr-defined]

    Agent.objects.filter(user=agent_a).update(language="en")
    wide = sign_in(browser, live_desk, agent_a, WIDE)
    wide.goto("/?view=teams&sort=due")
    first = wide.locator("#rows li.ticket-row").first
    expect(first).to_have_attribute("data-ticket-id", str(late.pk))  # breached first
    soon_badge = wide.locator(f'#rows li[data-ticket-id="{soon.pk}"] .sla-badge')
    expect(soon_badge.locator(".sla-text")).to_have_text(re.compile(r"in 4\d min"))
    assert "First response" in (soon_badge.get_attribute("title") or "")
    assert wide.problems == []  # type: ignore[attr-defined]
