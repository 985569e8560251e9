"""Bale configuration per inbox, and the small state the channel keeps (the kit's models)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.channel_kit.botapi.models import (
    BotChatBase,
    BotConfigBase,
    HandledUpdateBase,
    Mode,
    SentPartBase,
)

__all__ = ["BaleChat", "BaleConfig", "BaleHandledUpdate", "BaleSentPart", "Mode"]


class BaleConfig(BotConfigBase):
    """A Bale bot serving one inbox."""

    inbox = models.OneToOneField(
        "helpdesk.Inbox",
        on_delete=models.CASCADE,
        related_name="bale_config",
        limit_choices_to={"kind": "bale"},
        verbose_name=_("inbox"),
    )

    class Meta:
        verbose_name = _("Bale bot")
        verbose_name_plural = _("Bale bots")


class BaleChat(BotChatBase):
    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "chat_id"], name="bale_chat_unique")
        ]
        indexes = [models.Index(fields=["inbox", "user_id"], name="bale_chat_user_idx")]


class BaleHandledUpdate(HandledUpdateBase):
    class Meta:
        constraints = [models.UniqueConstraint(fields=["inbox", "key"], name="bale_handled_unique")]


class BaleSentPart(SentPartBase):
    message = models.ForeignKey(
        "helpdesk.Message", on_delete=models.CASCADE, related_name="bale_parts"
    )

    class Meta:
        ordering = ["message", "index"]
        constraints = [
            models.UniqueConstraint(fields=["message", "index"], name="bale_part_unique")
        ]
