"""Replies by SMS through the loopback providers: what is sent, and what a refusal says."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from channels_in.sms.models import BodyFormat, HttpMethod, OutboundSms, SmsConfig, SmsStatus
from helpdesk.actions.messages import OutgoingFile, do_reply
from helpdesk.ingest import receive
from helpdesk.models import DeliveryStatus, Message, Ticket
from helpdesk.tasks import deliver_message
from tests.channels_in.sms.conftest import inbound_sms
from tests.channels_in.sms.fake_gateways import FakeGateways, fixture

pytestmark = pytest.mark.django_db


def sms_ticket(config: SmsConfig, number: str = "+989121234567") -> Ticket:
    return receive(inbound_sms(config.inbox, number)).ticket


def deliver(message_id: int) -> Message:
    """The core's delivery task, run here (the test's transaction never commits)."""
    deliver_message.call(message_id)
    return Message.objects.get(pk=message_id)


def reply(agent: Any, ticket: Ticket, text: str, **kwargs: Any) -> Message:
    return deliver(do_reply(agent, ticket.pk, text, **kwargs).pk)


def test_it_sends_a_persian_reply_by_kavenegar_once_per_message(
    kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any
) -> None:
    ticket = sms_ticket(kavenegar)
    message = reply(agent_a, ticket, "سلام، سفارش شما فردا می‌رسد.")
    assert message.delivery_status == DeliveryStatus.SENT, message.delivery_error
    assert message.external_id == "sms-out:8792343"
    (sent,) = gateways.sent()
    form = sent.form()
    assert form == {
        "receptor": "09121234567",
        "sender": "10004346",
        "message": "سلام، سفارش شما فردا می‌رسد.",
        "localid": str(message.pk),  # what the sweeper asks Kavenegar by after a crash
    }
    row = OutboundSms.objects.get(message=message)
    assert (row.segments, row.status, row.provider_words) == (1, SmsStatus.QUEUED, "در صف ارسال")
    assert row.cost == Decimal("120")  # Kavenegar's own price, when it names one


def test_it_fails_with_kavenegars_words(
    kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any
) -> None:
    gateways.fail_next = (418, fixture("kavenegar_send_no_credit"))
    message = reply(agent_a, sms_ticket(kavenegar), "hello")
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error == "Kavenegar 418: اعتبار حساب شما کافی نیست"


def test_it_retries_when_kavenegar_is_down(
    kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any, settings: Any
) -> None:
    settings.HELPDESK_DELIVERY_BACKOFF_SECONDS = 0
    gateways.fail_next = (503, {"return": {"status": 409, "message": "سرور قادر به پاسخگوئی نیست"}})
    message = reply(agent_a, sms_ticket(kavenegar), "hello")
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert "سرور قادر به پاسخگوئی نیست" in message.delivery_error
    message = deliver(message.pk)
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.delivery_attempts == 2
    assert len(gateways.sent()) == 2


def test_it_refuses_a_reply_longer_than_the_inbox_allows(
    kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any
) -> None:
    message = reply(agent_a, sms_ticket(kavenegar), "س" * (67 * 3 + 1))  # 4 segments, limit 3
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error == "the reply is 4 SMS segments; this inbox sends at most 3"
    assert gateways.sent() == []
    ok = reply(agent_a, sms_ticket(kavenegar), "س" * (67 * 3))
    assert ok.delivery_status == DeliveryStatus.SENT


def test_it_refuses_files(kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any) -> None:
    files = (OutgoingFile("a.pdf", "application/pdf", b"%PDF"),)
    message = reply(agent_a, sms_ticket(kavenegar), "see file", files=files)
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "SMS cannot carry files" in message.delivery_error
    assert gateways.sent() == []


def test_it_waits_not_connected_without_a_line(sms_inbox: Any, agent_a: Any) -> None:
    ticket = receive(inbound_sms(sms_inbox)).ticket
    message = reply(agent_a, ticket, "hello")
    assert message.delivery_status == DeliveryStatus.NOT_CONNECTED
    line = SmsConfig.objects.create(inbox=sms_inbox, sender_number="1000", api_key="")
    message = reply(agent_a, ticket, "hello again")
    assert message.delivery_status == DeliveryStatus.NOT_CONNECTED
    assert message.delivery_error == "the SMS line has no provider credentials yet"
    assert line.provider == "kavenegar"


def test_it_sends_through_a_generic_json_gateway(
    generic: SmsConfig, gateways: FakeGateways, agent_a: Any
) -> None:
    text = 'He said "hi" {to} \\ ok'  # quotes and a placeholder-like text stay text
    message = reply(agent_a, sms_ticket(generic, "+989351112233"), text)
    assert message.delivery_status == DeliveryStatus.SENT, message.delivery_error
    (sent,) = gateways.sent()
    assert sent.headers["x-api-key"] == "gateway-secret"
    assert sent.json() == {
        "lineNumber": "30007732",
        "mobiles": ["09351112233"],
        "messageText": text,
    }
    assert message.external_id == "sms-out:8792343"
    row = OutboundSms.objects.get(message=message)
    assert row.cost == Decimal(0)  # no price configured for this gateway


def test_it_sends_form_fields_and_get_queries(
    generic: SmsConfig, gateways: FakeGateways, agent_a: Any
) -> None:
    generic.body_format = BodyFormat.FORM
    generic.body_template = json.dumps({"to": "{to_digits}", "msg": "{text}", "ref": "{reference}"})
    generic.save()
    first = reply(agent_a, sms_ticket(generic), "یک")
    generic.send_method = HttpMethod.GET
    generic.save()
    second = reply(agent_a, sms_ticket(generic), "دو")
    form, query = gateways.sent()
    assert form.form() == {"to": "989121234567", "msg": "یک", "ref": str(first.pk)}
    assert form.method == "POST"
    assert query.method == "GET"
    assert query.query == {"to": "989121234567", "msg": "دو", "ref": str(second.pk)}


def test_it_fails_with_the_gateways_words(
    generic: SmsConfig, gateways: FakeGateways, agent_a: Any
) -> None:
    gateways.fail_next = (400, {"status": 0, "message": "شماره موبایل نامعتبر است"})
    message = reply(agent_a, sms_ticket(generic), "hello")
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error == "gateway answered HTTP 400: شماره موبایل نامعتبر است"
    gateways.generic_answer = {"status": 0, "message": "خط ارسال غیرفعال است", "data": None}
    refused = reply(agent_a, sms_ticket(generic), "again")
    assert refused.delivery_error == "gateway refused the text: خط ارسال غیرفعال است"


def test_it_tells_the_sweeper_whether_an_interrupted_send_reached_the_provider(
    kavenegar: SmsConfig, generic: SmsConfig, gateways: FakeGateways, agent_a: Any
) -> None:
    from channels_in.sms.sender import SmsSender

    sender = SmsSender()
    sent = reply(agent_a, sms_ticket(kavenegar), "hello")
    assert sender.was_delivered(sent) is True
    # Kavenegar is asked by our localid; a generic gateway cannot tell.
    unsent = do_reply(agent_a, sms_ticket(kavenegar).pk, "again")
    assert sender.was_delivered(unsent) is False
    OutboundSms.objects.filter(message=sent).delete()  # as if the worker died after the send
    assert sender.was_delivered(sent) is True
    assert gateways.seen[-1].query == {"localid": str(sent.pk)}
    other = do_reply(agent_a, sms_ticket(generic).pk, "again")
    assert sender.was_delivered(other) is None


def test_it_sends_a_csat_survey_link_by_sms(
    kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any
) -> None:
    from helpdesk.surveys.actions import do_send_survey_now

    request = do_send_survey_now(agent_a, sms_ticket(kavenegar).pk)
    assert request.message is not None
    message = deliver(request.message.pk)
    assert message.delivery_status == DeliveryStatus.SENT, message.delivery_error
    (sent,) = gateways.sent()
    # The plain-text prompt (the question and the survey page's link) is the SMS.
    assert sent.form()["message"] == message.text
    assert message.text.endswith(message.channel_meta["survey"]["url"])
