"""A call to one team's line shows that team only what it may read (issue 14, hole 1).

The caller is a contact whose tickets live in team A; the line belongs to team B.
B's agents must not learn A's ticket subjects, ids or last contacts from the
ringing pop-up, the stored events, or the ticket an answered call is linked to.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from channels_in.phone.models import Call, PhoneLine
from helpdesk.ingest import receive
from helpdesk.models import ContactIdentity, TicketEvent
from tests import factories
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

NUMBER = "+989121234567"
SECRET_SUBJECT = "Team A secret: refund for order 1042"


@pytest.fixture
def a_ticket(email_inbox_a: Any) -> Any:
    """An open team-A ticket of the caller, who also has the line's phone number."""
    result = receive(inbound(email_inbox_a, sender="reza@example.com", subject=SECRET_SUBJECT))
    ContactIdentity.objects.create(contact=result.ticket.contact, kind="phone", address=NUMBER)
    return result.ticket


@pytest.fixture
def cti_b(team_b: Any) -> Any:
    """Post CTI events to a phone line of team B."""
    inbox = factories.make_inbox(team_b, "phone", name="Team B line")
    line = PhoneLine(inbox=inbox, numbers=["+982155550000"])
    token = line.new_token()
    line.save()
    client = Client()

    def post(**fields: Any) -> Any:
        data = {"from": "09121234567", "to": "+982155550000", "direction": "in"} | fields
        return client.post(f"/api/v1/cti/{token}", data)

    return post


def _ticket_ids(value: Any) -> set[int]:
    """Every ticket id anywhere in an event payload or frame."""
    if isinstance(value, list):
        return set().union(*(_ticket_ids(v) for v in value))
    if not isinstance(value, dict):
        return set()
    found = {value["ticket_id"]} if value.get("ticket_id") else set()
    if "subject" in value:  # an entry of open_tickets
        found.add(value["id"])
    return found.union(*(_ticket_ids(v) for v in value.values()))


def _leaks(data: Any, ticket: Any) -> bool:
    return SECRET_SUBJECT in json.dumps(data) or ticket.pk in _ticket_ids(data)


def test_it_shows_no_other_teams_ticket_while_ringing(cti_b: Any, a_ticket: Any) -> None:
    assert cti_b(event="newCall", callId="r1").status_code == 200
    ringing = TicketEvent.objects.get(type="call.ringing")
    assert ringing.payload["open_tickets"] == []
    assert ringing.payload["last_contacts"] == []
    assert not _leaks(ringing.payload, a_ticket)


def test_it_links_an_answered_call_to_no_other_teams_ticket(
    cti_b: Any, a_ticket: Any, agent_b: Any
) -> None:
    cti_b(event="newCall", callId="r2")
    assert cti_b(event="answer", callId="r2", user="bob").status_code == 200
    call = Call.objects.get(call_id="r2")
    assert call.agent_id == agent_b.pk
    assert call.ticket_id is None
    answered = TicketEvent.objects.get(type="call.answered")
    assert answered.payload["ticket_id"] is None and answered.payload["open_tickets"] == []


def test_it_keeps_other_teams_tickets_out_of_the_event_log(
    cti_b: Any, a_ticket: Any, agent_b: Any, api: Any
) -> None:
    for event, extra in (("newCall", {}), ("answer", {"user": "bob"}), ("hangup", {})):
        cti_b(event=event, callId="r3", cause="normalClearing", **extra)
    body = api(agent_b).get("/api/v1/events").json()
    assert [e["type"] for e in body["items"]] == ["call.ringing", "call.answered", "call.ended"]
    assert not _leaks(body, a_ticket)


def test_it_still_shows_the_line_teams_own_tickets(
    cti_b: Any, a_ticket: Any, email_inbox_b: Any
) -> None:
    own = receive(inbound(email_inbox_b, sender="reza@example.com", subject="Team B order"))
    cti_b(event="newCall", callId="r4")
    cti_b(event="answer", callId="r4", user="bob")
    ringing = TicketEvent.objects.get(type="call.ringing")
    assert [t["id"] for t in ringing.payload["open_tickets"]] == [own.ticket.pk]
    assert {c["ticket_id"] for c in ringing.payload["last_contacts"]} == {own.ticket.pk}
    assert Call.objects.get(call_id="r4").ticket_id == own.ticket.pk
