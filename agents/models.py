from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CannedResponse(models.Model):
    """A reply template inserted by its shortcut; personal (owner set) or shared by a team."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
    )
    team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    shortcut = models.SlugField(_("shortcut"), max_length=40, allow_unicode=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shortcut"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return f"/{self.shortcut}"
