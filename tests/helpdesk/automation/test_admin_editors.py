"""The admin editors post hidden JSON; the forms validate it with the engine's schema and
store what the engine then applies. No JSON box is shown to a person."""

from __future__ import annotations

import json
import zoneinfo
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from helpdesk.automation.hours import is_open
from helpdesk.automation.iran_holidays import official_holidays
from helpdesk.ingest import receive
from helpdesk.models import BusinessHours, InboxAutomation, Rule, Ticket
from tests.factories import inbound

pytestmark = [pytest.mark.django_db]

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


@pytest.fixture
def staff(admin_user: Any) -> Client:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    return client


def _rule_post(conditions: Any, actions: Any, match: str = "all") -> dict[str, Any]:
    return {
        "match": match,
        "name": "Refunds to team B",
        "enabled": "on",
        "position": "0",
        "trigger": "ticket_created",
        "hours": "0",
        "conditions": json.dumps(conditions),
        "actions": json.dumps(actions),
    }


def test_it_saves_a_rule_from_the_editor_that_the_engine_applies(
    staff: Client, email_inbox_a: Any, team_b: Any
) -> None:
    page = staff.get("/admin/helpdesk/rule/add/").content.decode()
    assert 'data-hd-editor="conditions"' in page and 'data-hd-editor="actions"' in page
    assert '<textarea name="conditions"' not in page and '<textarea name="actions"' not in page
    conditions = [
        {"field": "text", "op": "contains", "value": ["refund", "بازپرداخت"]},
        {"field": "inbox", "op": "is", "value": email_inbox_a.pk},
    ]
    actions = [{"type": "assign_team", "team_id": team_b.pk}, {"type": "add_tag", "tag": "refund"}]
    response = staff.post("/admin/helpdesk/rule/add/", _rule_post(conditions, actions))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Rule.objects.get().conditions == conditions

    hit = receive(inbound(email_inbox_a, text="بازپرداخت پول من"))
    miss = receive(inbound(email_inbox_a, text="سلام"))
    ticket = Ticket.objects.get(pk=hit.ticket.pk)
    assert (ticket.team_id, ticket.tags) == (team_b.pk, ["refund"])
    assert Ticket.objects.get(pk=miss.ticket.pk).tags == []


def test_it_saves_a_rule_that_matches_any_condition(staff: Client, email_inbox_a: Any) -> None:
    conditions = [
        {"field": "subject", "op": "contains", "value": "invoice"},
        {"field": "text", "op": "contains", "value": "refund"},
    ]
    post = _rule_post(conditions, [{"type": "add_tag", "tag": "billing"}], match="any")
    assert staff.post("/admin/helpdesk/rule/add/", post).status_code == 302
    hit = receive(inbound(email_inbox_a, subject="Invoice 12", text="hello"))
    miss = receive(inbound(email_inbox_a, subject="Hello", text="hello"))
    assert Ticket.objects.get(pk=hit.ticket.pk).tags == ["billing"]
    assert Ticket.objects.get(pk=miss.ticket.pk).tags == []


BAD_RULES = [
    ([{"field": "team", "op": "is", "value": 99999}], [{"type": "send_articles"}], "Condition 1"),
    (
        [{"field": "priority", "op": "contains", "value": 2}],
        [{"type": "send_articles"}],
        "Condition 1",
    ),
    ([], [{"type": "send_articles"}, {"type": "snooze", "hours": -1}], "Action 2"),
    ([], [], "at least one action"),
]


def test_it_shows_the_engines_errors_on_the_field(staff: Client) -> None:
    for conditions, actions, error in BAD_RULES:
        response = staff.post("/admin/helpdesk/rule/add/", _rule_post(conditions, actions))
        assert response.status_code == 200
        page = response.content.decode()
        assert error in page, error
        if error[-1].isdigit():  # the editor is told which row to outline
            assert f'data-hd-error-row="{int(error[-1]) - 1}"' in page
    assert not Rule.objects.exists()


def test_it_saves_the_week_grid_and_holidays_the_engine_uses(staff: Client) -> None:
    page = staff.get("/admin/helpdesk/businesshours/add/").content.decode()
    assert 'data-hd-editor="week"' in page and 'data-hd-editor="holidays"' in page
    week = {"sat": [["08:00", "17:00"]], "mon": [["22:00", "06:00"]], "fri": []}
    response = staff.post(
        "/admin/helpdesk/businesshours/add/",
        {
            "name": "Tehran",
            "time_zone": "Asia/Tehran",
            "weekly": json.dumps(week),
            "holidays": json.dumps(["2027-03-21", "2027-03-20", "2027-03-21"]),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    hours = BusinessHours.objects.get()
    assert hours.holidays == ["2027-03-20", "2027-03-21"]
    assert hours.weekly["sat"] == [["08:00", "17:00"]] and hours.weekly["thu"] == []
    assert is_open(hours, datetime(2027, 3, 27, 9, 0, tzinfo=TEHRAN))  # a Saturday
    assert not is_open(hours, datetime(2027, 3, 20, 9, 0, tzinfo=TEHRAN))  # Saturday, holiday
    assert is_open(hours, datetime(2027, 3, 30, 5, 0, tzinfo=TEHRAN))  # Monday night's shift

    bad = {"name": "x", "time_zone": "Asia/Tehran", "weekly": '{"mon": [["25:00", "06:00"]]}'}
    response = staff.post("/admin/helpdesk/businesshours/add/", {**bad, "holidays": "[]"})
    assert "HH:MM" in response.content.decode()


def test_it_knows_irans_official_holidays_of_1406() -> None:
    days = {h.day.isoformat(): h.name for h in official_holidays(1406)}
    assert len(days) == 26
    assert days["2027-03-21"] == "Nowruz"  # 1 Farvardin 1406
    assert days["2027-04-02"] == "Nature Day"  # 13 Farvardin
    assert days["2027-06-04"] == "Death of Imam Khomeini"  # 14 Khordad
    assert days["2028-02-11"] == "Victory of the Islamic Revolution"  # 22 Bahman
    assert days["2028-03-19"] == "Nationalisation of the oil industry"  # 29 Esfand
    assert days["2027-06-15"] == "Ashura"  # 10 Muharram 1449 (Umm al-Qura)
    assert min(days) == "2027-03-21" and max(days) == "2028-03-19"


def test_it_imports_the_holidays_into_business_hours(staff: Client, admin_user: Any) -> None:
    admin_user.agent.language = "fa"
    admin_user.agent.save()
    hours = BusinessHours.objects.create(name="Tehran", weekly={}, holidays=["2027-01-01"])
    url = f"/admin/helpdesk/businesshours/{hours.pk}/import-holidays/"
    preview = staff.get(url, {"year": "1406"})
    assert "۱ فروردین ۱۴۰۶" in preview.content.decode()
    assert staff.post(url, {"year": "1406"}).status_code == 302
    hours.refresh_from_db()
    assert len(hours.holidays) == 27 and "2027-03-21" in hours.holidays
    assert not is_open(hours, datetime(2027, 3, 21, 10, 0, tzinfo=TEHRAN))


def test_it_edits_automatic_answers_per_language(staff: Client, email_inbox_a: Any) -> None:
    page = staff.get("/admin/helpdesk/inboxautomation/add/").content.decode()
    assert 'name="acknowledgement_fa"' in page and 'name="acknowledgement"' not in page
    response = staff.post(
        "/admin/helpdesk/inboxautomation/add/",
        {
            "inbox": email_inbox_a.pk,
            "acknowledge": "on",
            "suggestion_threshold": "0",
            "max_automatic_per_hour": "3",
            "acknowledgement_en": "We got #{{ticket.number}}.",
            "acknowledgement_fa": "درخواست {{ticket.number}} رسید.",
            "out_of_office_en": "",
            "out_of_office_fa": "  ",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    settings = InboxAutomation.objects.get()
    assert settings.acknowledgement == {
        "en": "We got #{{ticket.number}}.",
        "fa": "درخواست {{ticket.number}} رسید.",
    }
    assert settings.out_of_office == {}
