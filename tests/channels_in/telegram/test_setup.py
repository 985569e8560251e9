"""Bot setup: token checked with getMe in the admin, webhook set with a fresh secret."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from channels_in.telegram.models import Mode, TelegramConfig
from tests.channels_in.telegram.conftest import TOKEN
from tests.channels_in.telegram.fake_bot_api import FakeBotApi

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


@pytest.fixture
def staff_client(db: None) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root")
    client = Client()
    client.force_login(user)
    return client


def _add(client: Client, inbox: Any, token: str) -> Any:
    return client.post(
        "/admin/channel_telegram/telegramconfig/add/",
        {"inbox": inbox.pk, "bot_token": token, "mode": Mode.WEBHOOK, "welcome_message": "Hi"},
        follow=True,
    )


def test_it_checks_the_token_with_getme_and_shows_the_bot(
    staff_client: Client,
    telegram_inbox_a: Any,
    fake_api: FakeBotApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    response = _add(staff_client, telegram_inbox_a, TOKEN)
    assert response.status_code == 200
    config = TelegramConfig.objects.get()
    assert (config.bot_username, config.bot_name) == ("desk_support_bot", "Desk Support")
    assert "Telegram knows this bot as Desk Support (@desk_support_bot)" in response.text
    assert [c.method for c in fake_api.calls] == ["getMe"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT bot_token FROM channel_telegram_telegramconfig")
        (stored,) = cursor.fetchone()
    assert stored != TOKEN and TOKEN not in stored  # encrypted at rest
    assert config.bot_token == TOKEN
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
    assert TOKEN not in response.text
    # The kit's connection test, in Telegram's words (Bale has the same action).
    tested = staff_client.post(
        "/admin/channel_telegram/telegramconfig/",
        {"action": "test_connection_action", "_selected_action": [config.pk]},
        follow=True,
    )
    assert "connected to Telegram as Desk Support (@desk_support_bot)" in tested.text


def test_it_refuses_a_token_telegram_rejects(
    staff_client: Client,
    telegram_inbox_a: Any,
    fake_api: FakeBotApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "987654321:ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    response = _add(staff_client, telegram_inbox_a, wrong)
    assert "Telegram refused this bot token (Unauthorized)" in response.text
    assert not TelegramConfig.objects.exists()
    assert wrong not in caplog.text and wrong not in response.text


def test_it_sets_the_webhook_from_the_admin_with_a_new_secret(
    staff_client: Client, bot_config: TelegramConfig, fake_api: FakeBotApi, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = "https://desk.example.com/"
    old_secret = bot_config.webhook_secret
    staff_client.post(
        "/admin/channel_telegram/telegramconfig/",
        {"action": "set_webhook_action", "_selected_action": [bot_config.pk]},
    )
    bot_config.refresh_from_db()
    url = f"https://desk.example.com/channels/telegram/{bot_config.inbox_id}/webhook/"
    assert fake_api.webhook["url"] == url and bot_config.webhook_url == url
    assert fake_api.webhook["secret_token"] == bot_config.webhook_secret != old_secret
    assert fake_api.webhook["allowed_updates"] == [
        "message",
        "edited_message",
        "my_chat_member",
        "callback_query",  # inline-keyboard presses (the Bot API kit answers them)
    ]


def test_it_sets_and_deletes_the_webhook_from_the_command(
    bot_config: TelegramConfig, fake_api: FakeBotApi, settings: Any, capsys: Any
) -> None:
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    call_command("telegram_webhook", str(bot_config.inbox_id))
    bot_config.refresh_from_db()
    assert fake_api.webhook["secret_token"] == bot_config.webhook_secret
    assert "webhook set for" in capsys.readouterr().out
    call_command("telegram_webhook", bot_config.inbox.name, "--delete")
    assert fake_api.webhook == {}
    with pytest.raises(CommandError):
        call_command("telegram_webhook", "no such inbox")


def test_it_reports_telegrams_refusal_of_a_webhook(
    bot_config: TelegramConfig, fake_api: FakeBotApi
) -> None:
    fake_api.fail("setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided")
    with pytest.raises(CommandError, match="(?i)https url must be provided"):
        call_command("telegram_webhook", str(bot_config.inbox_id))
