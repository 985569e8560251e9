from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBCHAT = "webchat", _("Live chat")
    TELEGRAM = "telegram", _("Telegram")
    PHONE = "phone", _("Phone")
    WEBFORM = "webform", _("Web form")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Inbox(models.Model):
    """One configured source of messages; channel packages hold its configuration."""

    kind = models.CharField(_("channel"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="inboxes")
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("inbox")
        verbose_name_plural = _("inboxes")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
