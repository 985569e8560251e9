from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from channels_in.phone.models import Call, CallOutcome, CallState
from helpdesk.ingest import receive
from helpdesk.models import Contact, ContactIdentity, Message, Ticket, TicketEvent
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_records_an_answered_call(cti: Any, agent_a: Any) -> None:
    assert cti(event="newCall", callId="c1").json() == {}
    assert cti(event="answer", callId="c1", user="alice").json() == {}
    assert cti(event="hangup", callId="c1", cause="normalClearing").json() == {}
    call = Call.objects.get(call_id="c1")
    assert call.customer_number == "+989121234567"
    assert call.outcome == CallOutcome.ANSWERED and call.state == CallState.ENDED
    assert call.agent_id == agent_a.pk
    assert call.wait_seconds is not None and call.talk_seconds is not None
    assert not call.needs_callback
    types = list(TicketEvent.objects.values_list("type", flat=True))
    assert types == ["call.ringing", "call.answered", "call.ended"]


def test_it_turns_a_missed_call_into_a_ticket_to_call_back(cti: Any) -> None:
    cti(event="newCall", callId="m1", **{"from": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    cti(event="hangup", callId="m1", cause="cancel", **{"from": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    call = Call.objects.get(call_id="m1")
    assert call.outcome == CallOutcome.MISSED and call.needs_callback
    assert call.ticket is not None
    assert "+989121234567" in call.ticket.subject
    message = call.ticket.messages.get()
    assert message.channel_meta["call"]["outcome"] == "missed"


def test_it_adds_a_second_missed_call_to_the_open_ticket(cti: Any) -> None:
    for cid in ("a", "b"):
        cti(event="newCall", callId=cid)
        cti(event="hangup", callId=cid, cause="noAnswer")
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 2


def test_it_marks_a_busy_line(cti: Any) -> None:
    cti(event="newCall", callId="b1")
    cti(event="hangup", callId="b1", cause="busy")
    assert Call.objects.get(call_id="b1").outcome == CallOutcome.BUSY


def test_it_rejects_a_blocked_number(cti: Any) -> None:
    response = cti(event="newCall", callId="x1", **{"from": "+98 912 000 0000"})
    assert response.json() == {"action": "reject", "reason": "busy"}
    call = Call.objects.get(call_id="x1")
    assert call.outcome == CallOutcome.REJECTED
    assert Ticket.objects.count() == 0


def test_it_ignores_duplicated_events(cti: Any) -> None:
    for _ in range(3):
        cti(event="newCall", callId="d1")
        cti(event="answer", callId="d1", user="nobody")
        cti(event="hangup", callId="d1", cause="normalClearing")
    assert Call.objects.count() == 1
    assert TicketEvent.objects.count() == 3


def test_it_accepts_an_answer_before_its_new_call(cti: Any) -> None:
    assert cti(event="answer", callId="o1").status_code == 200
    assert cti(event="newCall", callId="o1").status_code == 200
    assert cti(event="hangup", callId="o1", cause="normalClearing").status_code == 200
    assert Call.objects.get(call_id="o1").outcome == CallOutcome.ANSWERED


def test_it_refuses_a_hangup_for_an_unknown_call(cti: Any) -> None:
    response = cti(event="hangup", callId="nope", cause="normalClearing")
    assert response.status_code == 422
    assert "nope" in response.json()["error"]


@pytest.mark.parametrize(
    ("fields", "word"),
    [
        ({"event": "ring", "callId": "e1"}, "event"),
        ({"event": "newCall", "callId": "e2", "direction": "sideways"}, "direction"),
        ({"event": "newCall"}, "callId"),
    ],
)
def test_it_answers_bad_events_with_422(cti: Any, fields: dict[str, str], word: str) -> None:
    response = cti(**fields)
    assert response.status_code == 422
    assert word in response.json()["error"]
    assert Call.objects.count() == 0


def test_it_refuses_a_wrong_token(phone_line: Any) -> None:
    response = Client().post("/api/v1/cti/wrong-token", {"event": "newCall"})
    assert response.status_code == 401
    assert Call.objects.count() == 0


def test_it_accepts_json_bodies_and_user_lists(cti: Any, agent_a: Any) -> None:
    cti(as_json=True, event="newCall", callId="j1", user=["ghost", "Alice"], queue="sales")
    response = cti(as_json=True, event="answer", callId="j1", user=["Alice"])
    assert response.status_code == 200
    call = Call.objects.get(call_id="j1")
    assert call.users == ["ghost", "Alice"] and call.queue == "sales"
    assert call.agent_id == agent_a.pk


def test_it_refuses_malformed_json(phone_line: Any) -> None:
    _, token = phone_line
    response = Client().post(f"/api/v1/cti/{token}", b"{nope", content_type="application/json")
    # A body that is not JSON is a 400 (as for every webhook); a bad event is a 422.
    assert response.status_code == 400
    assert "malformed JSON" in response.json()["error"]


def test_it_recognizes_a_telegram_contact_who_shared_their_number(
    cti: Any, telegram_inbox_a: Any
) -> None:
    chat = receive(inbound(telegram_inbox_a, sender="777", name="Reza", subject=""))
    ContactIdentity.objects.create(
        contact=chat.ticket.contact, kind="phone", address="+989121234567"
    )
    cti(event="newCall", callId="t1")
    call = Call.objects.get(call_id="t1")
    assert call.contact_id == chat.ticket.contact_id
    ringing = TicketEvent.objects.get(type="call.ringing")
    assert ringing.payload["contact_name"] == "Reza"
    assert ringing.payload["open_tickets"][0]["id"] == chat.ticket.pk
    assert ringing.payload["last_contacts"][0]["channel"] == "telegram"
    assert Contact.objects.count() == 1


def test_it_closes_the_call_back_loop_with_an_answered_outbound_call(cti: Any) -> None:
    cti(event="newCall", callId="miss")
    cti(event="hangup", callId="miss", cause="noAnswer")
    cti(
        event="newCall",
        callId="back",
        direction="out",
        **{"from": "+982112345678", "to": "09121234567"},
    )
    cti(
        event="answer",
        callId="back",
        direction="out",
        **{"from": "+982112345678", "to": "09121234567"},
    )
    cti(
        event="hangup",
        callId="back",
        direction="out",
        cause="normalClearing",
        **{"from": "+982112345678", "to": "09121234567"},
    )
    missed = Call.objects.get(call_id="miss")
    assert not missed.needs_callback
    assert missed.called_back_by == Call.objects.get(call_id="back")
