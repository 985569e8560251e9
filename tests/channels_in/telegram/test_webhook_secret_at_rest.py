"""The webhook secret is stored encrypted, and rows from before are encrypted by migration."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from channels_in.telegram.models import TelegramConfig
from channels_in.telegram.views import _authentic
from helpdesk import crypto
from tests import factories

pytestmark = [pytest.mark.embedded]

BEFORE = ("channel_telegram", "0001_initial")
AFTER = ("channel_telegram", "0002_webhook_secret_encrypted")


def _stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT webhook_secret FROM channel_telegram_telegramconfig WHERE id = %s", [pk]
        )
        return str(cursor.fetchone()[0])


@pytest.mark.django_db
def test_it_stores_the_webhook_secret_encrypted(team_a: Any) -> None:
    config = TelegramConfig.objects.create(
        inbox=factories.make_inbox(team_a, "telegram"), bot_token="123:abc"
    )
    secret = TelegramConfig.objects.get(pk=config.pk).webhook_secret
    assert len(secret) > 40
    assert secret not in _stored(config.pk)
    assert crypto.decrypt(_stored(config.pk)) == secret
    assert _authentic(config, secret)
    assert not _authentic(config, secret[:-1] + "x")
    assert not _authentic(config, _stored(config.pk))  # the stored form is no credential


@pytest.mark.django_db(transaction=True)
def test_it_encrypts_the_secrets_of_existing_bots(team_a: Any) -> None:
    config = TelegramConfig.objects.create(
        inbox=factories.make_inbox(team_a, "telegram"), bot_token="123:abc"
    )
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE channel_telegram_telegramconfig SET webhook_secret = %s WHERE id = %s",
                ["plain-old-secret", config.pk],
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([AFTER])
    assert "plain-old-secret" not in _stored(config.pk)
    assert TelegramConfig.objects.get(pk=config.pk).webhook_secret == "plain-old-secret"
