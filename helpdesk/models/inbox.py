from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk import channels


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

    # An installed channel's kind, checked against the registry (helpdesk.channels),
    # not frozen as choices: adding a channel needs no core migration.
    kind = models.CharField(_("channel"), max_length=16, validators=[channels.validate_kind])
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="inboxes")
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("inbox")
        verbose_name_plural = _("inboxes")

    def __str__(self) -> str:
        return f"{self.name} ({self.kind_label})"

    @property
    def kind_label(self) -> str:
        return str(channels.kind_label(self.kind))

    @property
    def setup_url(self) -> str | None:
        """The admin page that connects this inbox's channel (None if the channel has none)."""
        return channels.setup_url(self.kind)
