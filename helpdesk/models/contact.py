from __future__ import annotations

import logging
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk import channels
from helpdesk.normalize import normalize

logger = logging.getLogger(__name__)


def search_form(name: str) -> str:
    """A contact name as the search compares it (see `Contact.search_name`)."""
    return normalize(name)[:200]


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
    company = models.ForeignKey(
        "helpdesk.Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("company"),
    )
    # Normalized, lower-case, sorted (like ticket tags); JSON containment filters them.
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # The name in helpdesk.normalize form (Persian letters and digits, lower case):
    # the contact search matches it with a trigram index (migration 0018).
    search_name = models.CharField(max_length=200, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["name"], name="contact_name_idx"),
            # The contacts page sorted by name, a page at a time.
            models.Index(fields=["search_name", "id"], name="contact_search_name_idx"),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or f"Contact {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep `search_name` in step with `name` (bulk inserts set it themselves)."""
        self.search_name = search_form(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

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
