"""Segments: saved contact filters with live counts (helpdesk.crm.segments)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    """A named, saved filter over contacts; `definition` is a `crm.filters.ContactFilter`."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    definition = models.JSONField(_("definition"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name
