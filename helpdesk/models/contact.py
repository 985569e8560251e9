from __future__ import annotations

import logging

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk import channels

logger = logging.getLogger(__name__)


class Contact(models.Model):
    """One customer, across every channel they have used."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=16,
        blank=True,
        validators=[channels.validate_identity_kind],
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

    def resolve(self, *, for_update: bool = False) -> Contact:
        """The contact that survives this one's merges (itself when never merged).

        Follows `merged_into` hop by hop (locking each row with `for_update`). A
        cycle, which no action creates but a hand edit could, ends the walk at
        the last contact not yet seen instead of looping forever.
        """
        contact = self
        seen = {contact.pk}
        rows = Contact.objects.select_for_update() if for_update else Contact.objects.all()
        while contact.merged_into_id is not None:
            if contact.merged_into_id in seen:
                logger.error("contact %s: merged_into forms a cycle", self.pk)
                break
            seen.add(contact.merged_into_id)
            contact = rows.get(pk=contact.merged_into_id)
        return contact


class ContactIdentity(models.Model):
    """A normalized address of a contact on one channel (unique per kind)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    # An identity kind some installed channel declares (helpdesk.channels).
    kind = models.CharField(_("kind"), max_length=16, validators=[channels.validate_identity_kind])
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

    @property
    def kind_label(self) -> str:
        """The label of this identity kind, as its channel declares it."""
        found = channels.identity_specs().get(self.kind)
        return str(found.label) if found else self.kind
