"""The admin: write-only secrets, form checks, webhook URLs and "Test connection"."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client

from channels_in.sms.models import Provider, SmsConfig
from tests import factories
from tests.channels_in.sms.fake_gateways import API_KEY, FakeGateways

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/channel_sms/smsconfig/"


@pytest.fixture
def admin_client(admin_user: Any) -> Client:
    get_user_model().objects.filter(pk=admin_user.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    return client


def form_data(config: SmsConfig, **changes: Any) -> dict[str, Any]:
    data = {
        "inbox": config.inbox_id,
        "provider": config.provider,
        "sender_number": config.sender_number,
        "api_url": config.api_url,
        "api_key": "",
        "send_method": config.send_method,
        "body_format": config.body_format,
        "body_template": config.body_template,
        "inbound_from_field": config.inbound_from_field,
        "inbound_text_field": config.inbound_text_field,
        "report_id_field": config.report_id_field,
        "report_status_field": config.report_status_field,
        "report_delivered_values": config.report_delivered_values,
        "report_failed_values": config.report_failed_values,
        "max_segments": config.max_segments,
        "cost_gsm": config.cost_gsm,
        "cost_ucs2": config.cost_ucs2,
        "currency": config.currency,
    }
    return data | changes


def test_it_never_shows_the_api_key_and_keeps_it_when_left_empty(
    admin_client: Client, kavenegar: SmsConfig
) -> None:
    url = f"{CHANGELIST}{kavenegar.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert API_KEY not in page
    assert kavenegar.webhook_secret in page  # the webhook URLs are for the provider's panel
    response = admin_client.post(url, form_data(kavenegar, max_segments=4))
    assert response.status_code == 302, response.content
    kavenegar.refresh_from_db()
    assert (kavenegar.api_key, kavenegar.max_segments) == (API_KEY, 4)


def test_it_refuses_a_broken_body_template(admin_client: Client, generic: SmsConfig) -> None:
    url = f"{CHANGELIST}{generic.pk}/change/"
    data = form_data(generic, body_template='["not", "an object"]', send_url=generic.send_url)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "line 1: write one field per line as name = value" in response.content.decode()
    generic.refresh_from_db()
    assert "messageText = {text}" in generic.body_template


def test_it_tests_the_connection_of_each_provider(
    admin_client: Client, kavenegar: SmsConfig, generic: SmsConfig, gateways: FakeGateways
) -> None:
    broken = SmsConfig.objects.create(
        inbox=factories.make_inbox(kavenegar.inbox.team, "sms", name="broken line"),
        provider=Provider.KAVENEGAR,
        sender_number="1",
        api_url=gateways.kavenegar_url,
        api_key="wrong-key",
    )
    ids = [kavenegar.pk, generic.pk, broken.pk]
    response = admin_client.post(
        CHANGELIST, {"action": "test_connection", "_selected_action": ids}, follow=True
    )
    texts = sorted(str(m) for m in get_messages(response.wsgi_request))
    assert any("remaining credit: 2568500" in t for t in texts), texts
    assert any("the gateway answered HTTP 200" in t for t in texts), texts
    assert any("Kavenegar 403: کد شناسائی API-Key معتبر نمی‌باشد" in t for t in texts), texts
    assert all("wrong-key" not in t for t in texts)


def test_it_asks_kavenegar_for_the_status_of_chosen_texts(
    admin_client: Client, kavenegar: SmsConfig, gateways: FakeGateways
) -> None:
    from channels_in.sms.models import OutboundSms, SmsStatus

    rows = [
        OutboundSms.objects.create(inbox=kavenegar.inbox, provider_message_id=str(n))
        for n in (501, 502, 503)
    ]
    gateways.statuses = {"501": 10, "502": 5}  # delivered, sent; 503 unknown (100)
    response = admin_client.post(
        "/admin/channel_sms/outboundsms/",
        {"action": "ask_the_provider", "_selected_action": [r.pk for r in rows]},
        follow=True,
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == [f"{kavenegar.inbox}: 3 updated"]
    statuses = dict(OutboundSms.objects.values_list("provider_message_id", "status"))
    assert statuses == {
        "501": SmsStatus.DELIVERED,
        "502": SmsStatus.SENT,
        "503": SmsStatus.FAILED,
    }
