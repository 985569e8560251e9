"""Received SMS: authenticated by the path secret, stored once, on the phone identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from channels_in.sms.models import SmsConfig
from helpdesk.identities import PHONE
from helpdesk.ingest import receive
from helpdesk.models import Contact, ContactIdentity, Message
from tests import factories
from tests.channels_in.sms.fake_gateways import fixture

pytestmark = pytest.mark.django_db


def test_it_stores_a_kavenegar_sms_in_persian_on_the_phone_identity(
    kavenegar: SmsConfig, hook: Callable[..., Any]
) -> None:
    data = fixture("kavenegar_inbound")
    response = hook(kavenegar, "inbound", data)
    assert response.status_code == 200, response.content
    assert response.json()["outcomes"] == ["stored"]
    message = Message.objects.get(inbox=kavenegar.inbox)
    assert message.text == "سلام، سفارش ۱۲۳ من کی می‌رسد؟"
    assert message.external_id == "sms-in:283547914"
    identity = ContactIdentity.objects.get(contact=message.ticket.contact, kind=PHONE)
    assert identity.address == "+989121234567"


@pytest.mark.embedded
def test_it_stores_a_redelivered_webhook_once(
    kavenegar: SmsConfig, hook: Callable[..., Any]
) -> None:
    data = fixture("kavenegar_inbound")
    assert hook(kavenegar, "inbound", data).json()["outcomes"] == ["stored"]
    assert hook(kavenegar, "inbound", data, method="get").json()["outcomes"] == ["duplicate"]
    assert hook(kavenegar, "inbound", data).json()["outcomes"] == ["duplicate"]
    assert Message.objects.filter(inbox=kavenegar.inbox).count() == 1


def test_it_joins_the_caller_of_the_same_number_in_any_iranian_format(
    kavenegar: SmsConfig, hook: Callable[..., Any], team_a: Any
) -> None:
    # The customer called first (the phone channel knows them as +989121234567).
    phone_inbox = factories.make_inbox(team_a, "phone")
    call = factories.inbound(phone_inbox, sender="+989121234567", name="Sara", text="call")
    caller = receive(call).ticket.contact
    for i, number in enumerate(["09121234567", "989121234567", "+989121234567", "۰۹۱۲۱۲۳۴۵۶۷"]):
        data = {"messageid": f"m{i}", "from": number, "to": "10004346", "message": "سلام"}
        assert hook(kavenegar, "inbound", data).status_code == 200
    authors = set(
        Message.objects.filter(inbox=kavenegar.inbox).values_list("author_contact", flat=True)
    )
    assert authors == {caller.pk}
    assert Contact.objects.count() == 1


def test_it_refuses_a_wrong_or_missing_secret(
    kavenegar: SmsConfig, hook: Callable[..., Any]
) -> None:
    data = fixture("kavenegar_inbound")
    assert hook(kavenegar, "inbound", data, secret="x" * 43).status_code == 403
    assert (
        hook(kavenegar, "report", {"messageid": "1", "status": "10"}, secret="nope").status_code
        == 403
    )
    other = SmsConfig(inbox_id=kavenegar.inbox_id + 1000, webhook_secret=kavenegar.webhook_secret)
    assert hook(other, "inbound", data).status_code == 403  # another inbox's URL
    kavenegar.inbox.enabled = False
    kavenegar.inbox.save()
    assert hook(kavenegar, "inbound", data).status_code == 403
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"from": "09121234567", "message": "no id"},
        {"messageid": "1", "message": "no sender"},
        {"messageid": "1", "from": "not a number", "message": "x"},
        {"messageid": "1" * 101, "from": "09121234567", "message": "id too long"},
        {},
    ],
)
def test_it_answers_400_to_bodies_kavenegar_never_sends(
    kavenegar: SmsConfig, hook: Callable[..., Any], body: dict[str, str]
) -> None:
    response = hook(kavenegar, "inbound", body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[1, 2]",
        b"[]",
        b"\xff\xfe",
        b"[" * 5000 + b"]" * 5000,
        b'{"data": {"id": 1, "mobile": {"a": 1}, "text": "x"}}',
        b'{"data": {"id": 1, "mobile": "09121234567", "text": "\\ud800"}, "n": 1e999}',
    ],
)
def test_it_answers_400_to_malformed_json(
    generic: SmsConfig, hook: Callable[..., Any], raw: bytes
) -> None:
    assert hook(generic, "inbound", raw=raw).status_code == 400
    assert not Message.objects.exists()


def test_it_reads_a_generic_gateways_json_by_the_configured_fields(
    generic: SmsConfig, hook: Callable[..., Any]
) -> None:
    batch = [
        {"data": {"id": 77, "mobile": "989351112233", "text": "Hi, order 5?"}},
        {"data": {"id": 78, "mobile": "989351112233", "text": "«سلام»"}},
    ]
    response = hook(generic, "inbound", batch, as_json=True)
    assert response.json()["outcomes"] == ["stored", "stored"]
    assert hook(generic, "inbound", batch[1], as_json=True).json()["outcomes"] == ["duplicate"]
    texts = list(Message.objects.order_by("id").values_list("text", flat=True))
    assert texts == ["Hi, order 5?", "«سلام»"]
    assert ContactIdentity.objects.get(kind=PHONE).address == "+989351112233"


def test_it_stores_nothing_of_a_batch_with_a_bad_item(
    generic: SmsConfig, hook: Callable[..., Any]
) -> None:
    batch = [
        {"data": {"id": 1, "mobile": "09121234567", "text": "ok"}},
        {"data": {"id": 2, "mobile": "Kavenegar", "text": "not a number"}},
    ]
    response = hook(generic, "inbound", batch, as_json=True)
    assert response.status_code == 400
    assert "not a phone number" in response.json()["error"]
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b"messageid=1&from=09121234567&message=hi"),
        ("application/x-www-form-urlencoded", b"messageid=1&from=%FF%FE&message=%FF"),
        ("application/x-www-form-urlencoded", b"&".join([b"a=1"] * 2000)),
        ("application/json", b'{"messageid": 1, "from": "09121234567", "message": null}'),
        ("multipart/form-data; boundary=x", b"--x\r\nbroken"),
    ],
)
def test_it_never_answers_500_to_odd_requests(
    kavenegar: SmsConfig, content_type: str, body: bytes
) -> None:
    from django.test import Client

    url = f"/channels/sms/{kavenegar.inbox_id}/{kavenegar.webhook_secret}/inbound/"
    response = Client(raise_request_exception=False).post(url, body, content_type=content_type)
    assert response.status_code < 500, response.content
