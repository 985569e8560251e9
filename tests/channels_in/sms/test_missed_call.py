"""A missed call gets an SMS ("we'll call you back") from the line configured for it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from channels_in.phone.models import PhoneLine
from channels_in.sms.models import SmsConfig
from helpdesk.models import AuthorKind, DeliveryStatus, Direction, Message
from helpdesk.tasks import deliver_message
from tests import factories
from tests.channels_in.sms.fake_gateways import FakeGateways

pytestmark = pytest.mark.django_db


@pytest.fixture
def cti(team_a: Any, kavenegar: SmsConfig) -> Any:
    inbox = factories.make_inbox(team_a, "phone", name="Main line")
    line = PhoneLine(inbox=inbox, numbers=["+982112345678"])
    token = line.new_token()
    line.save()
    kavenegar.missed_call_text = (
        "سلام {{contact.name}}، تماس شما را از دست دادیم؛ به زودی تماس می‌گیریم."
    )
    kavenegar.save()
    kavenegar.missed_call_inboxes.set([inbox])
    client = Client()

    def post(**fields: str) -> Any:
        data = {"from": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "to": "+982112345678", "direction": "in"} | fields
        response = client.post(f"/api/v1/cti/{token}", data)
        assert response.status_code == 200, response.content
        return response

    return post


def callback_texts() -> list[Message]:
    return list(Message.objects.filter(direction=Direction.OUTBOUND, author_kind=AuthorKind.SYSTEM))


def test_it_texts_a_missed_caller_once_per_call(
    cti: Any, kavenegar: SmsConfig, gateways: FakeGateways
) -> None:
    cti(event="newCall", callId="m1")
    cti(event="hangup", callId="m1", cause="noAnswer")
    cti(event="hangup", callId="m1", cause="noAnswer")  # a repeated hangup: no second text
    (text,) = callback_texts()
    assert text.inbox_id == kavenegar.inbox_id  # sent from the SMS line...
    assert text.ticket.inbox.kind == "phone"  # ...on the missed call's ticket
    name = text.ticket.contact.name
    assert text.text == f"سلام {name}، تماس شما را از دست دادیم؛ به زودی تماس می‌گیریم."
    deliver_message.call(text.pk)
    text.refresh_from_db()
    assert text.delivery_status == DeliveryStatus.SENT, text.delivery_error
    (sent,) = gateways.sent()
    assert sent.form()["receptor"] == "09121234567"


def test_it_texts_no_one_for_an_answered_call_or_an_unconfigured_line(
    cti: Any, kavenegar: SmsConfig
) -> None:
    cti(event="newCall", callId="a1")
    cti(event="answer", callId="a1", user="nobody")
    cti(event="hangup", callId="a1", cause="normalClearing")
    assert callback_texts() == []
    kavenegar.missed_call_inboxes.clear()
    cti(event="newCall", callId="m2")
    cti(event="hangup", callId="m2", cause="noAnswer")
    assert callback_texts() == []


def test_it_texts_at_most_once_an_hour_per_caller(cti: Any) -> None:
    for call_id in ("b1", "b2"):
        cti(event="newCall", callId=call_id)
        cti(event="hangup", callId=call_id, cause="busy")
    assert len(callback_texts()) == 1
