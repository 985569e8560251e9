from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from channels_in.sms.models import BodyFormat, Provider, SmsConfig
from helpdesk.models import Inbox
from tests import factories
from tests.channels_in.sms.fake_gateways import API_KEY, FakeGateways, running_fake_gateways


@pytest.fixture
def gateways() -> Iterator[FakeGateways]:
    with running_fake_gateways() as fake:
        yield fake


@pytest.fixture
def sms_inbox(team_a: Any) -> Inbox:
    return factories.make_inbox(team_a, "sms", name="SMS line")


@pytest.fixture
def kavenegar(sms_inbox: Inbox, gateways: FakeGateways) -> SmsConfig:
    return SmsConfig.objects.create(
        inbox=sms_inbox,
        provider=Provider.KAVENEGAR,
        sender_number="10004346",
        api_url=gateways.kavenegar_url,
        api_key=API_KEY,
        max_segments=3,
        cost_gsm="100",
        cost_ucs2="120",
    )


@pytest.fixture
def generic(team_a: Any, gateways: FakeGateways) -> SmsConfig:
    """A gateway shaped like the Iranian REST services (SMS.ir-like): JSON in, JSON out."""
    return SmsConfig.objects.create(
        inbox=factories.make_inbox(team_a, "sms", name="Gateway line"),
        provider=Provider.GENERIC,
        sender_number="30007732",
        send_url=f"{gateways.url}/send",
        auth_header_name="X-API-KEY",
        auth_header_value="gateway-secret",
        body_format=BodyFormat.JSON,
        body_template="lineNumber = {from}\nmobiles[] = {to_local}\nmessageText = {text}",
        response_id_field="data.messageId",
        response_error_field="message",
        check_url=f"{gateways.url}/balance",
        inbound_id_field="data.id",
        inbound_from_field="data.mobile",
        inbound_text_field="data.text",
        report_id_field="messageId",
        report_status_field="state",
        report_delivered_values="DELIVERED, delivrd",
        report_failed_values="FAILED,UNDELIVERED",
        report_words_field="reason",
    )


@pytest.fixture
def hook() -> Callable[..., Any]:
    """Call an SMS webhook: hook(config, "inbound", data, method=..., as_json=..., secret=...)."""
    client = Client()

    def call(
        config: SmsConfig,
        kind: str,
        data: Any = None,
        *,
        method: str = "post",
        as_json: bool = False,
        secret: str | None = None,
        raw: bytes | None = None,
    ) -> Any:
        token = config.webhook_secret if secret is None else secret
        url = f"/channels/sms/{config.inbox_id}/{token}/{kind}/"
        if raw is not None:
            return client.post(url, raw, content_type="application/json")
        if method == "get":
            return client.get(url, data)
        if as_json:
            return client.post(url, json.dumps(data), content_type="application/json")
        return client.post(url, data)

    return call


def inbound_sms(inbox: Inbox, number: str = "+989121234567", text: str = "سلام") -> Any:
    """A received SMS as the channel hands it to the core."""
    from django.utils import timezone

    from helpdesk.inbound import InboundMessage, Sender

    inbound_sms.seq = getattr(inbound_sms, "seq", 0) + 1  # type: ignore[attr-defined]
    return InboundMessage(
        inbox_id=inbox.pk,
        external_id=f"sms-in:t{inbound_sms.seq}",  # type: ignore[attr-defined]
        sender=Sender(kind="phone", address=number),
        received_at=timezone.now(),
        text=text,
    )
