from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from channels_in.phone.models import Call, CallOutcome
from helpdesk.ingest import receive
from helpdesk.models import Message
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

MASTER_CSV = (
    '"","09121234567","982112345678","from-trunk","""Reza"" <09121234567>","PJSIP/trunk-1",'
    '"PJSIP/100-2","Dial","PJSIP/100","2026-11-20 10:00:00","2026-11-20 10:00:05",'
    '"2026-11-20 10:03:05",185,180,"ANSWERED","DOCUMENTATION","1700000000.1",""\n'
    '"","09351112233","982112345678","from-trunk","","PJSIP/trunk-2","PJSIP/100-3","Dial",'
    '"PJSIP/100","2026-11-20 11:00:00","","2026-11-20 11:00:30",30,0,"NO ANSWER",'
    '"DOCUMENTATION","1700000000.2",""\n'
    '"","+982112345678","09121234567","from-internal","","PJSIP/100-4","PJSIP/trunk-5","Dial",'
    '"PJSIP/trunk","2026-11-20 12:00:00","2026-11-20 12:00:10","2026-11-20 12:01:10",70,60,'
    '"ANSWERED","DOCUMENTATION","1700000000.3",""\n'
)


def test_it_imports_asterisk_cdr_once(phone_line: Any, tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text(MASTER_CSV, encoding="utf-8")
    out = StringIO()
    call_command("import_cdr", str(path), "--inbox", "Main line", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == "imported 3, duplicates 0, skipped 0"
    again = StringIO()
    call_command("import_cdr", str(path), "--inbox", "Main line", stdout=again, stderr=StringIO())
    assert again.getvalue().strip() == "imported 0, duplicates 3, skipped 0"
    answered = Call.objects.get(call_id="cdr-1700000000.1")
    assert answered.customer_number == "+989121234567"
    assert answered.outcome == CallOutcome.ANSWERED and answered.talk_seconds == 180
    assert Call.objects.get(call_id="cdr-1700000000.2").outcome == CallOutcome.MISSED
    outbound = Call.objects.get(call_id="cdr-1700000000.3")
    assert outbound.direction == "out" and outbound.customer_number == "+989121234567"


def test_it_logs_a_call_by_hand_on_a_ticket(
    phone_line: Any, agent_a: Any, api: Any, email_inbox_a: Any
) -> None:
    line, _ = phone_line
    ticket = receive(inbound(email_inbox_a)).ticket
    response = api(agent_a).post(
        "/api/v1/calls/",
        {
            "line_id": line.pk,
            "number": "۰۹۱۲۱۲۳۴۵۶۷",
            "direction": "out",
            "outcome": "answered",
            "notes": "گفتگو درباره سفارش",
            "ticket_id": ticket.pk,
            "talk_seconds": 95,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "+989121234567" and body["talk_seconds"] == 95
    entry = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert entry is not None and entry.channel_meta["call"]["outcome"] == "answered"
    assert "گفتگو درباره سفارش" in entry.text


def test_it_logs_a_call_without_a_ticket_into_the_callers_phone_ticket(
    phone_line: Any, agent_a: Any, api: Any
) -> None:
    line, _ = phone_line
    response = api(agent_a).post(
        "/api/v1/calls/",
        {"line_id": line.pk, "number": "09121234567", "direction": "in", "outcome": "answered"},
    )
    assert response.status_code == 201
    call = Call.objects.get()
    assert call.ticket is not None and call.ticket.inbox_id == line.inbox_id


def test_it_refuses_manual_logging_on_another_teams_line(
    phone_line: Any, agent_b: Any, api: Any
) -> None:
    line, _ = phone_line
    response = api(agent_b).post(
        "/api/v1/calls/",
        {"line_id": line.pk, "number": "09121234567", "direction": "in", "outcome": "answered"},
    )
    assert response.status_code == 404
    assert Call.objects.count() == 0


def test_it_hides_other_teams_calls(cti: Any, agent_a: Any, agent_b: Any, api: Any) -> None:
    cti(event="newCall", callId="h1")
    assert len(api(agent_a).get("/api/v1/calls/").json()) == 1
    assert api(agent_b).get("/api/v1/calls/").json() == []


def test_it_finds_calls_by_number_in_any_format(cti: Any, agent_a: Any, api: Any) -> None:
    cti(event="newCall", callId="n1")
    for query in ("+989121234567", "0912 123 4567", "۰۹۱۲۱۲۳۴۵۶۷", "1234567"):
        found = api(agent_a).get("/api/v1/calls/", number=query).json()
        assert [c["number"] for c in found] == ["+989121234567"], query


def test_it_puts_an_answered_call_in_a_follow_up_ticket(cti: Any, agent_a: Any, api: Any) -> None:
    cti(event="newCall", callId="f1")
    cti(event="answer", callId="f1", user="alice")
    cti(event="hangup", callId="f1", cause="normalClearing")
    call = Call.objects.get(call_id="f1")
    response = api(agent_a).post(
        f"/api/v1/calls/{call.pk}/form", {"notes": "wants a refund", "follow_up": True}
    )
    assert response.status_code == 200, response.content
    call.refresh_from_db()
    assert call.notes == "wants a refund" and call.ticket is not None
    assert call.ticket.subject.startswith("Follow-up")


def test_it_shows_the_call_log_page_only_to_signed_in_agents(
    cti: Any, agent_a: Any, agent_b: Any, client: Any
) -> None:
    cti(event="newCall", callId="p1")
    assert client.get("/calls/").status_code == 302
    client.force_login(agent_b)
    assert "+989121234567" not in client.get("/calls/").content.decode()
    client.force_login(agent_a)
    page = client.get("/calls/", {"number": "09121234567"})
    assert page.status_code == 200 and "+989121234567" in page.content.decode()
