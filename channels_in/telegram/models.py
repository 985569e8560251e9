"""Telegram configuration per inbox, and the small state the channel keeps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.channel_kit.botapi import setup
from helpdesk.crypto import EncryptedTextField


class Mode(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook (Telegram calls us)")
    POLLING = "polling", _("Long polling (we call Telegram)")


def new_webhook_secret() -> str:
    # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -.
    return setup.new_webhook_secret()


class TelegramConfig(models.Model):
    """A bot serving one Telegram inbox."""

    inbox = models.OneToOneField(
        "helpdesk.Inbox",
        on_delete=models.CASCADE,
        related_name="telegram_config",
        limit_choices_to={"kind": "telegram"},
        verbose_name=_("inbox"),
    )
    bot_token = EncryptedTextField(
        _("bot token"), help_text=_("From @BotFather; stored encrypted.")
    )
    bot_id = models.BigIntegerField(_("bot id"), null=True, blank=True, editable=False)
    bot_username = models.CharField(_("bot username"), max_length=64, blank=True, editable=False)
    bot_name = models.CharField(_("bot name"), max_length=200, blank=True, editable=False)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.WEBHOOK)
    welcome_message = models.TextField(
        _("welcome message"), blank=True, help_text=_("Sent when a customer presses Start.")
    )
    # Telegram echoes it in a header on every webhook call; stored encrypted like the
    # bot token (a database dump alone cannot forge updates), compared in constant time.
    webhook_secret = EncryptedTextField(default=new_webhook_secret, editable=False)
    webhook_url = models.CharField(_("webhook URL"), max_length=500, blank=True, editable=False)
    webhook_set_at = models.DateTimeField(
        _("webhook set at"), null=True, blank=True, editable=False
    )
    # The next update_id to ask for (long polling); saved in the same transaction
    # as the update it acknowledges, so a crash before commit re-reads the update.
    polling_offset = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Telegram bot")
        verbose_name_plural = _("Telegram bots")

    def __str__(self) -> str:
        return f"@{self.bot_username}" if self.bot_username else f"Telegram bot {self.pk}"


class TelegramChat(models.Model):
    """A private chat between a customer and an inbox's bot."""

    inbox = models.ForeignKey("helpdesk.Inbox", on_delete=models.CASCADE, related_name="+")
    chat_id = models.BigIntegerField()
    user_id = models.BigIntegerField()
    username = models.CharField(max_length=64, blank=True)
    first_name = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=200, blank=True)
    language_code = models.CharField(max_length=16, blank=True)
    # Set by a signed /start deep link: the chat's messages thread into this ticket.
    linked_ticket = models.ForeignKey(
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "chat_id"], name="telegram_chat_unique")
        ]
        indexes = [models.Index(fields=["inbox", "user_id"], name="telegram_chat_user_idx")]

    def __str__(self) -> str:
        return f"chat {self.chat_id}"


class HandledUpdate(models.Model):
    """Updates that create no message (/start, block/unblock) handled once each.

    Keyed by chat and message id (or date), never by update_id: Telegram may pick
    update ids at random after a week of silence.
    """

    inbox = models.ForeignKey("helpdesk.Inbox", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "key"], name="telegram_handled_unique")
        ]

    def __str__(self) -> str:
        return self.key


class SentPart(models.Model):
    """One Telegram message an outbound message became (text chunks, files).

    A retry after a 429 skips the parts already delivered, so the customer never
    sees the same chunk twice.
    """

    message = models.ForeignKey(
        "helpdesk.Message", on_delete=models.CASCADE, related_name="telegram_parts"
    )
    index = models.PositiveSmallIntegerField()
    chat_id = models.BigIntegerField()
    telegram_message_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["message", "index"]
        constraints = [
            models.UniqueConstraint(fields=["message", "index"], name="telegram_part_unique")
        ]

    def __str__(self) -> str:
        return f"part {self.index} of message {self.message_id}"
