"""The portal's own rows: one-time sign-in links and who sees a company's tickets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalAccess(models.Model):
    """Per-contact portal settings (a contact without a row is a plain customer)."""

    contact = models.OneToOneField(
        "helpdesk.Contact",
        on_delete=models.CASCADE,
        related_name="portal_access",
        verbose_name=_("contact"),
    )
    company_manager = models.BooleanField(
        _("company manager"),
        default=False,
        help_text=_("Sees every ticket of the contact's company in the portal."),
    )
    blocked = models.BooleanField(
        _("blocked"), default=False, help_text=_("May not sign in to the portal.")
    )

    class Meta:
        verbose_name = _("portal access")
        verbose_name_plural = _("portal access")

    def __str__(self) -> str:
        return str(self.contact)


class SignInLink(models.Model):
    """A one-time sign-in link: only the SHA-256 of its secret is stored."""

    contact = models.ForeignKey(
        "helpdesk.Contact", on_delete=models.CASCADE, related_name="portal_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The six-digit code texted beside the link (SHA-256 with the token's hash), if any.
    code_hash = models.CharField(max_length=64, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    identity_kind = models.CharField(max_length=16)
    address = models.CharField(max_length=320)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        indexes = [models.Index(fields=["expires_at"], name="portal_link_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.identity_kind}:{self.address}"
