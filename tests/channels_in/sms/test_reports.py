"""Delivery reports: out of order, before the send returned, failures in the provider's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from channels_in.sms.models import OutboundSms, SmsConfig, SmsStatus
from helpdesk.actions.messages import do_reply
from helpdesk.ingest import receive
from helpdesk.models import DeliveryStatus, Message, TicketEvent
from helpdesk.tasks import deliver_message
from tests.channels_in.sms.conftest import inbound_sms
from tests.channels_in.sms.fake_gateways import FakeGateways

pytestmark = pytest.mark.django_db


def sent_reply(config: SmsConfig, agent: Any, text: str = "سلام") -> Message:
    ticket = receive(inbound_sms(config.inbox)).ticket
    message = do_reply(agent, ticket.pk, text)
    deliver_message.call(message.pk)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT, message.delivery_error
    return message


def status_of(message: Message) -> str:
    return OutboundSms.objects.get(message=message).status


@pytest.mark.embedded
def test_it_keeps_delivered_when_an_older_report_arrives_late(
    kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any, hook: Callable[..., Any]
) -> None:
    message = sent_reply(kavenegar, agent_a)
    provider_id = str(message.external_id).removeprefix("sms-out:")
    outcomes = [
        hook(kavenegar, "report", {"messageid": provider_id, "status": code}).json()["outcomes"]
        for code in ("10", "5", "4", "10")  # delivered, then the older "sent" ones, then again
    ]
    assert outcomes == [["updated"], ["stale"], ["stale"], ["stale"]]
    assert status_of(message) == SmsStatus.DELIVERED
    # One live update, for the one report that changed something.
    announced = TicketEvent.objects.filter(type="sms.status", ticket=message.ticket_id)
    assert [e.payload for e in announced] == [
        {"ticket_id": message.ticket_id, "message_id": message.pk, "status": "delivered"}
    ]
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT


def test_it_moves_forward_in_order(
    kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any, hook: Callable[..., Any]
) -> None:
    message = sent_reply(kavenegar, agent_a)
    provider_id = str(message.external_id).removeprefix("sms-out:")
    hook(kavenegar, "report", {"messageid": provider_id, "status": "4"}, method="get")
    assert status_of(message) == SmsStatus.SENT
    hook(kavenegar, "report", {"messageid": provider_id, "status": "10"})
    assert status_of(message) == SmsStatus.DELIVERED


def test_it_marks_the_reply_failed_with_the_providers_words(
    kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any, hook: Callable[..., Any]
) -> None:
    message = sent_reply(kavenegar, agent_a)
    provider_id = str(message.external_id).removeprefix("sms-out:")
    hook(kavenegar, "report", {"messageid": provider_id, "status": "11"})
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error == "not delivered: not delivered (provider status 11)"
    assert TicketEvent.objects.filter(
        type="message.delivery", payload__message_id=message.pk, payload__delivery_status="failed"
    ).exists()
    # A late "delivered" for a failed text changes nothing (both final).
    hook(kavenegar, "report", {"messageid": provider_id, "status": "10"})
    assert status_of(message) == SmsStatus.FAILED


def test_it_applies_a_report_that_came_before_the_send_returned(
    generic: SmsConfig, gateways: FakeGateways, agent_a: Any, hook: Callable[..., Any]
) -> None:
    # The gateway reports on id 8792343 before its send answer reached us.
    report = {"messageId": "8792343", "state": "UNDELIVERED", "reason": "گوشی خاموش است"}
    assert hook(generic, "report", report, as_json=True).json()["outcomes"] == ["updated"]
    ticket = receive(inbound_sms(generic.inbox)).ticket
    message = do_reply(agent_a, ticket.pk, "hello")
    deliver_message.call(message.pk)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error == "not delivered: گوشی خاموش است (provider status UNDELIVERED)"
    assert OutboundSms.objects.get().message_id == message.pk


def test_it_ignores_statuses_it_does_not_know(generic: SmsConfig, hook: Callable[..., Any]) -> None:
    report = {"messageId": "1", "state": "ACCEPTED"}
    assert hook(generic, "report", report, as_json=True).json()["outcomes"] == ["ignored"]
    assert not OutboundSms.objects.exists()


@pytest.mark.parametrize(
    "body", [{"messageid": "1"}, {"messageid": "1", "status": "x"}, {"status": "10"}]
)
def test_it_answers_400_to_bad_reports(
    kavenegar: SmsConfig, hook: Callable[..., Any], body: dict[str, str]
) -> None:
    assert hook(kavenegar, "report", body).status_code == 400
    assert not OutboundSms.objects.exists()


def test_it_gives_the_ticket_page_each_texts_status(
    kavenegar: SmsConfig, gateways: FakeGateways, agent_a: Any, hook: Callable[..., Any]
) -> None:
    from django.test import Client

    message = sent_reply(kavenegar, agent_a)
    provider_id = str(message.external_id).removeprefix("sms-out:")
    hook(kavenegar, "report", {"messageid": provider_id, "status": "10"})
    client = Client()
    client.force_login(agent_a)
    page = client.get(f"/t/{message.ticket_id}/").content.decode()
    assert 'id="sms-statuses"' in page
    assert f'"{message.pk}": "delivered"' in page
    assert 'id="sms-composer"' in page and '"max_segments": 3' in page
