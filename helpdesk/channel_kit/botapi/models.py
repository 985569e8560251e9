"""Abstract models a Bot API channel makes concrete in its own app (own tables and migrations)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.channel_kit.botapi.setup import new_webhook_secret
from helpdesk.crypto import EncryptedTextField


class Mode(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook (the service calls us)")
    POLLING = "polling", _("Long polling (we call the service)")


class BotConfigBase(models.Model):
    """A bot serving one inbox. Subclasses add the `inbox` one-to-one field."""

    bot_token = EncryptedTextField(_("bot token"), help_text=_("Stored encrypted."))
    bot_id = models.BigIntegerField(_("bot id"), null=True, blank=True, editable=False)
    bot_username = models.CharField(_("bot username"), max_length=64, blank=True, editable=False)
    bot_name = models.CharField(_("bot name"), max_length=200, blank=True, editable=False)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.WEBHOOK)
    welcome_message = models.TextField(
        _("welcome message"), blank=True, help_text=_("Sent when a customer presses Start.")
    )
    # Stored encrypted like the bot token (a database dump alone cannot forge
    # updates), compared in constant time.
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
        abstract = True

    def __str__(self) -> str:
        return f"@{self.bot_username}" if self.bot_username else f"bot {self.pk}"


class BotChatBase(models.Model):
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
        abstract = True

    def __str__(self) -> str:
        return f"chat {self.chat_id}"


class HandledUpdateBase(models.Model):
    """Updates that create no message (/start, block/unblock) handled once each,
    keyed by chat and message id (or date), never by update_id."""

    inbox = models.ForeignKey("helpdesk.Inbox", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.key


class SentPartBase(models.Model):
    """One service message an outbound message became (text chunks, files), so a
    retry skips the parts already delivered. Subclasses add `message`."""

    index = models.PositiveSmallIntegerField()
    chat_id = models.BigIntegerField()
    provider_message_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"part {self.index}"
