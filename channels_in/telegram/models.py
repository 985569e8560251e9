"""Telegram configuration per inbox, and the small state the channel keeps: the
shared Bot API kit's models (helpdesk.channel_kit.botapi.models) made concrete,
with the table, constraint and column names this app has always had."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from helpdesk.channel_kit.botapi import setup
from helpdesk.channel_kit.botapi.models import (
    BotChatBase,
    BotConfigBase,
    HandledUpdateBase,
    Mode,
    SentPartBase,
)

__all__ = ["HandledUpdate", "Mode", "SentPart", "TelegramChat", "TelegramConfig"]


def new_webhook_secret() -> str:
    """Kept for migrations 0001/0002, which name it as the secret's default."""
    return setup.new_webhook_secret()


class TelegramConfig(BotConfigBase):
    """A bot serving one Telegram inbox."""

    inbox = models.OneToOneField(
        "helpdesk.Inbox",
        on_delete=models.CASCADE,
        related_name="telegram_config",
        limit_choices_to={"kind": "telegram"},
        verbose_name=_("inbox"),
    )

    class Meta:
        verbose_name = _("Telegram bot")
        verbose_name_plural = _("Telegram bots")


class TelegramChat(BotChatBase):
    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "chat_id"], name="telegram_chat_unique")
        ]
        indexes = [
            models.Index(fields=["inbox", "user_id"], name="telegram_chat_user_idx"),
            # The contacts search by @username (`username__iexact`, any case).
            models.Index(Upper("username"), name="telegram_chat_username_idx"),
        ]


class HandledUpdate(HandledUpdateBase):
    """Keyed by chat and message id (or date), never by update_id: Telegram may pick
    update ids at random after a week of silence."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "key"], name="telegram_handled_unique")
        ]


class SentPart(SentPartBase):
    message = models.ForeignKey(
        "helpdesk.Message", on_delete=models.CASCADE, related_name="telegram_parts"
    )
    # The kit's name for the service's id, on the column this table always had.
    provider_message_id = models.BigIntegerField(db_column="telegram_message_id")

    class Meta:
        ordering = ["message", "index"]
        constraints = [
            models.UniqueConstraint(fields=["message", "index"], name="telegram_part_unique")
        ]
