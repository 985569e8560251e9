from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    TELEGRAM = "telegram", _("Telegram")
    WEBCHAT = "webchat", _("Live chat")


class Contact(models.Model):
    """One customer, across every channel they have used."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=IdentityKind.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    custom_attributes = models.JSONField(_("custom attributes"), default=dict, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["name"], name="contact_name_idx")]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or f"Contact {self.pk}"


class ContactIdentity(models.Model):
    """A normalized address of a contact on one channel (unique per kind)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=16, choices=IdentityKind.choices)
    address = models.CharField(_("address"), max_length=320)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    unreachable_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "address"], name="identity_unique_per_kind")
        ]
        verbose_name = _("contact identity")
        verbose_name_plural = _("contact identities")

    def __str__(self) -> str:
        return f"{self.kind}:{self.address}"
