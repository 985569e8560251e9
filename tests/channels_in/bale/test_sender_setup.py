"""Bale's differences on the way out: plain text, reply_to_message_id, setWebhook with a
URL only (secret in the path), and the admin's connection test."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from channels_in.bale.channel import PROFILE
from channels_in.bale.models import BaleConfig, BaleSentPart
from channels_in.bale.sender import BaleSender
from helpdesk import crypto
from helpdesk.actions.messages import do_reply
from helpdesk.channel_kit.botapi.setup import set_webhook
from helpdesk.channels import DeliveryError
from helpdesk.models import DeliveryStatus, Direction, Message
from tests.channels_in.bale.conftest import TOKEN, USER, update
from tests.channels_in.telegram.fake_bot_api import FakeBotApi

pytestmark = [pytest.mark.django_db]


def _inbound(config: BaleConfig, text: str = "سلام") -> Message:
    Client().post(
        f"/channels/bale/{config.inbox_id}/webhook/{config.webhook_secret}/",
        update(text, message_id=50),
        content_type="application/json",
    )
    return Message.objects.get(direction=Direction.INBOUND)


@pytest.mark.embedded  # also on SQLite, what the run command serves
def test_it_sends_plain_text_and_quotes_with_reply_to_message_id(
    bale_config: BaleConfig, fake_api: FakeBotApi, agent_a: Any
) -> None:
    ticket_id = _inbound(bale_config).ticket_id
    first = do_reply(agent_a, ticket_id, "سفارش شما فردا می‌رسد <ساعت ۱۰> & سالم", html="")
    result = BaleSender().send(first)
    (call,) = fake_api.calls_to("sendMessage")
    assert call.params["chat_id"] == USER
    assert call.params["text"] == "سفارش شما فردا می‌رسد <ساعت ۱۰> & سالم"  # not HTML-escaped
    assert "parse_mode" not in call.params and "reply_to_message_id" not in call.params
    part = BaleSentPart.objects.get(message=first)
    assert result.external_id == f"{USER}:{part.provider_message_id}"
    Message.objects.filter(pk=first.pk).update(delivery_status=DeliveryStatus.SENT)
    second = do_reply(agent_a, ticket_id, "<b>یک</b> نکته", html="<p><b>یک</b> نکته</p>")
    BaleSender().send(second)
    quoted = fake_api.calls_to("sendMessage")[1]
    assert quoted.params["text"] == "<b>یک</b> نکته"  # the plain text, never markup
    assert quoted.params["reply_to_message_id"] == 50  # Bale's form, not reply_parameters
    assert "reply_parameters" not in quoted.params


def test_it_does_not_resend_delivered_parts_after_a_rate_limit(
    bale_config: BaleConfig, fake_api: FakeBotApi, agent_a: Any
) -> None:
    ticket_id = _inbound(bale_config).ticket_id
    reply = do_reply(agent_a, ticket_id, "الف " * 1500)  # two messages of at most 4096
    fake_api.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(DeliveryError) as refused:
        BaleSender().send(reply)
    assert not refused.value.permanent and refused.value.retry_after == 3
    assert "Bale rate limit" in refused.value.reason
    BaleSender().send(reply)
    assert BaleSentPart.objects.filter(message=reply).count() == 2
    assert len(fake_api.calls_to("sendMessage")) == 3  # refused, then each part once


def test_it_sets_the_webhook_with_the_secret_in_the_path(
    bale_config: BaleConfig, fake_api: FakeBotApi, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = "https://desk.example"
    shown = set_webhook(PROFILE, bale_config)
    config = BaleConfig.objects.get(pk=bale_config.pk)
    expected = (
        f"https://desk.example/channels/bale/{config.inbox_id}/webhook/{config.webhook_secret}/"
    )
    assert fake_api.webhook == {"url": expected}  # no secret_token, no allowed_updates
    assert config.webhook_secret not in shown and config.webhook_url == shown
    assert config.webhook_secret != bale_config.webhook_secret  # a fresh one
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bot_token, webhook_secret FROM channel_bale_baleconfig WHERE id = %s",
            [config.pk],
        )
        token, secret = cursor.fetchone()
    assert TOKEN not in token and crypto.decrypt(token) == TOKEN
    assert config.webhook_secret not in secret


def test_the_admin_keeps_the_token_write_only_and_tests_the_connection(
    bale_config: BaleConfig, fake_api: FakeBotApi
) -> None:
    admin = get_user_model().objects.create_superuser("root-bale", "r@example.com", "pw")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/channel_bale/baleconfig/{bale_config.pk}/change/")
    assert page.status_code == 200 and TOKEN not in page.content.decode()
    changelist = "/admin/channel_bale/baleconfig/"
    done = client.post(
        changelist,
        {"action": "test_connection_action", "_selected_action": [bale_config.pk]},
        follow=True,
    )
    assert "connected to Bale as Desk Support (@desk_support_bot)" in done.content.decode()
    fake_api.tokens.clear()  # Bale now refuses the token
    refused = client.post(
        changelist,
        {"action": "test_connection_action", "_selected_action": [bale_config.pk]},
        follow=True,
    )
    body = refused.content.decode()
    assert "Bale refused this bot token" in body and TOKEN not in body
