"""The reports in Chromium: charts drawn from the vendored Chart.js, a bar drilled down to
its conversations (English, wide), and the Persian page on a phone (RTL, the week from
Saturday, Persian digits, the Jalali period, nothing overflowing, no CSP complaint)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from helpdesk.actions.messages import do_reply
from helpdesk.actions.tickets import do_set_tags
from helpdesk.ingest import receive
from helpdesk.models import Agent
from tests import factories
from tests.agents.test_workspace_browser import NO_OVERFLOW, PHONE, WIDE, shot, sign_in
from tests.live import ThreadDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The heatmap's weekday names whole beside their row (the longest: چهارشنبه).
LABELS_FIT = """() => {
  const names = [...document.querySelectorAll("#heatmap tbody th")];
  return names.length === 7 && names.every((th) => th.scrollWidth <= th.clientWidth);
}"""
# [narrowest, widest] drawn width of the hours between every third one (1 px: kept for
# screen readers only).
MINOR_HOURS_WIDTH = """() => {
  const widths = [...document.querySelectorAll("#heatmap thead th.minor span")].map(
    (span) => Math.round(span.getBoundingClientRect().width));
  return [Math.min(...widths), Math.max(...widths)];
}"""


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_it_draws_the_charts_and_drills_down_in_english_and_persian(
    live_desk: ThreadDesk, browser: Browser, agent_a: Any, email_inbox_a: Any
) -> None:
    first = receive(factories.inbound(email_inbox_a, sender="a@example.com")).ticket
    second = receive(factories.inbound(email_inbox_a, sender="b@example.com")).ticket
    do_reply(agent_a, first.pk, "Hello")
    do_set_tags(agent_a, first.pk, ["vip"])

    page = sign_in(browser, live_desk, agent_a, WIDE)
    page.goto("/reports/")
    expect(page.locator("#chart-volume")).to_have_attribute("data-rendered", "1")
    expect(page.locator("#heatmap tbody tr")).to_have_count(7)
    expect(page.locator("#heatmap tbody tr").first.locator("th")).to_have_text("Mon")
    hours = page.locator("#heatmap thead th")
    expect(hours).to_have_count(24)
    expect(hours.first).to_have_text("0")
    expect(hours.last).to_have_text("23")
    assert page.evaluate(LABELS_FIT)
    assert page.evaluate(MINOR_HOURS_WIDTH)[0] > 1  # wide: every hour drawn
    expect(page.locator("#kpis")).to_contain_text("2")
    # Today's "Created" bar (the last one) leads to the two conversations behind it.
    box = page.locator("#chart-volume").bounding_box()
    assert box is not None
    x, y = page.evaluate(
        """() => {
          const bar = Chart.getChart("chart-volume").getDatasetMeta(0).data.at(-1);
          return [bar.x, (bar.y + bar.base) / 2];
        }"""
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/reports/tickets/**")
    rows = page.locator("#drill-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f'#drill-table a[href="/t/{second.pk}/"]')).to_be_visible()
    shot(page, "reports-drill-en.png")
    # The backlog's last point: the conversations still open at the end of today.
    page.goto("/reports/?section=conversations")
    expect(page.locator("#chart-backlog")).to_have_attribute("data-rendered", "1")
    box = page.locator("#chart-backlog").bounding_box()
    assert box is not None
    x, y = page.evaluate(
        """() => {
          const point = Chart.getChart("chart-backlog").getDatasetMeta(0).data.at(-1);
          return [point.x, point.y];
        }"""
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**metric=backlog**")
    expect(page.locator("#drill-table tbody tr")).to_have_count(2)
    assert page.problems == []  # type: ignore[attr-defined]

    Agent.objects.filter(user=agent_a).update(language="fa")
    phone = sign_in(browser, live_desk, agent_a, PHONE)
    phone.goto("/reports/?section=conversations")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator("#chart-volume")).to_have_attribute("data-rendered", "1")
    expect(phone.locator("#chart-times")).to_have_attribute("data-rendered", "1")
    expect(phone.locator("#chart-backlog")).to_have_attribute("data-rendered", "1")
    expect(phone.locator("#r-since")).to_have_value(re.compile(r"^[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}$"))
    assert phone.evaluate(NO_OVERFLOW)
    phone.goto("/reports/")
    expect(phone.locator("#heatmap tbody tr").first.locator("th")).to_have_text("شنبه")
    expect(phone.locator("#heatmap thead th").first).to_have_text("۰")
    expect(phone.locator("#heatmap thead th").nth(21)).to_have_text("۲۱")
    assert phone.evaluate(MINOR_HOURS_WIDTH)[1] <= 1  # every third hour drawn on a phone
    assert phone.evaluate(LABELS_FIT)
    expect(phone.locator("#kpis")).to_contain_text("۲")
    assert phone.evaluate(NO_OVERFLOW)
    shot(phone, "reports-phone-fa.png")
    phone.goto("/reports/?section=tags")
    expect(phone.locator("#tags-table tbody tr").first).to_contain_text("vip")
    expect(phone.locator("#tags-table tbody tr").first).to_contain_text("۱")
    phone.goto("/reports/?section=agents")  # signed in: a presence span, time online
    expect(phone.locator("#agents-table thead")).to_contain_text("زمان آنلاین")
    assert phone.evaluate(NO_OVERFLOW)
    assert phone.problems == []  # type: ignore[attr-defined]
