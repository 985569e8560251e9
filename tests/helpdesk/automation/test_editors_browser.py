"""The rule editor and the week grid driven in Persian at phone width: what they save is
what the engine applies (a matching ticket gets the action; the picked holiday is closed)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from helpdesk.automation.hours import DAYS, is_open
from helpdesk.digits import ascii_digits, persian_digits
from helpdesk.ingest import receive
from helpdesk.jalali import from_jalali
from helpdesk.models import BusinessHours, Rule, Ticket
from tests.factories import inbound
from tests.live import ThreadDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _persian_admin(browser: Browser, desk: ThreadDesk, user: Any) -> Page:
    context = browser.new_context(base_url=desk.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.problems = problems  # type: ignore[attr-defined]
    page.goto("/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def _fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_it_saves_rules_and_hours_from_the_persian_editors_that_the_engine_applies(
    live_desk: ThreadDesk, browser: Browser, admin_user: Any, email_inbox_a: Any, team_b: Any
) -> None:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    admin_user.agent.language = "fa"
    admin_user.agent.save()
    page = _persian_admin(browser, live_desk, admin_user)

    # The rule: text contains refund words -> assign to team B.
    page.goto("/admin/helpdesk/rule/add/")
    page.fill("#id_name", "بازپرداخت")
    page.select_option("#id_trigger", "ticket_created")
    conditions = page.locator(".hd-editor-conditions")
    conditions.get_by_role("button", name="افزودن شرط").click()
    row = conditions.locator(".hd-row").first
    row.locator("select").first.select_option("text")
    expect(row.locator("select").nth(1)).to_have_value("contains")
    row.locator("input[type=text]").fill("بازپرداخت، refund")
    actions = page.locator(".hd-editor-actions")
    actions.get_by_role("button", name="افزودن اقدام").click()
    action = actions.locator(".hd-row").first
    action.locator("select").first.select_option("assign_team")
    action.locator("select").nth(1).select_option(str(team_b.pk))
    assert _fits(page)
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/helpdesk/rule/")
    rule = Rule.objects.get()
    assert rule.conditions == [
        {"field": "text", "op": "contains", "value": ["بازپرداخت", "refund"]}
    ]
    assert rule.actions == [{"type": "assign_team", "team_id": team_b.pk}]

    # Business hours: Saturday 08-17, Monday night 22-06, a holiday picked in Jalali.
    page.goto("/admin/helpdesk/businesshours/add/")
    page.fill("#id_name", "دفتر تهران")
    expect(page.locator("#id_time_zone")).to_have_value("Asia/Tehran")
    saturday = page.locator(".hd-day[data-day=sat]")
    expect(saturday.locator("legend")).to_have_text("شنبه")
    saturday.get_by_label("باز").check()
    saturday.locator("input[type=time]").first.fill("08:00")
    monday = page.locator(".hd-day[data-day=mon]")
    monday.get_by_label("باز").check()
    monday.locator("input[type=time]").first.fill("22:00")
    monday.locator("input[type=time]").nth(1).fill("06:00")
    expect(monday.locator(".hd-note")).not_to_be_empty()
    # The other days open 09:00-17:00 (the default interval), so only the holiday closes
    # whichever week day it falls on.
    for other in ("sun", "tue", "wed", "thu", "fri"):
        page.locator(f".hd-day[data-day={other}]").get_by_label("باز").check()
    picker = page.locator(".hd-add-holiday input[data-jdp]")
    picker.click()
    page.locator(".jdp-day:not(.not-in-month)", has_text=persian_digits("15")).first.click()
    # The picker writes the Jalali date in Persian digits: ۱۴۰۵/۰۹/۱۵.
    year, month, day = (int(p) for p in ascii_digits(picker.input_value()).split("/"))
    assert day == 15
    holiday = from_jalali(year, month, day)
    expect(page.locator("jdp-container")).to_be_hidden()  # it closes once a day is picked
    page.locator(".hd-add-holiday").get_by_role("button", name="افزودن تعطیلی").click()
    expect(page.locator(".hd-chip time")).to_have_count(1)
    assert _fits(page)
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/helpdesk/businesshours/")
    assert page.problems == []  # type: ignore[attr-defined]

    hours = BusinessHours.objects.get()
    assert hours.holidays == [holiday.isoformat()]
    assert hours.weekly["sat"] == [["08:00", "17:00"]]
    assert hours.weekly["mon"] == [["22:00", "06:00"]]
    assert hours.weekly["fri"] == [["09:00", "17:00"]]
    weekday = DAYS[holiday.weekday()]
    moment = datetime.combine(holiday, time(23 if weekday == "mon" else 10, 0), TEHRAN)
    assert not is_open(hours, moment)
    hours.holidays = []
    assert is_open(hours, moment)
    assert is_open(hours, datetime(2027, 3, 30, 5, 0, tzinfo=TEHRAN))  # Monday night's tail

    ticket = receive(inbound(email_inbox_a, text="لطفا بازپرداخت کنید")).ticket
    assert Ticket.objects.get(pk=ticket.pk).team_id == team_b.pk
