"""Typed custom attributes: definitions for contacts, companies and tickets.

Values live in the `custom_attributes` JSON of the entity, keyed by the
definition's `key`; `helpdesk.crm.attributes` validates and converts them.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttributeEntity(models.TextChoices):
    CONTACT = "contact", _("Contact")
    COMPANY = "company", _("Company")
    TICKET = "ticket", _("Ticket")


class AttributeType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    LIST = "list", _("List")
    CHECKBOX = "checkbox", _("Checkbox")
    LINK = "link", _("Link")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$",
    _("Lower-case letters, digits and underscores, starting with a letter."),
)


class AttributeDefinition(models.Model):
    """One typed attribute of contacts, companies or tickets."""

    entity = models.CharField(_("applies to"), max_length=16, choices=AttributeEntity.choices)
    key = models.CharField(_("key"), max_length=50, validators=[key_validator])
    label = models.CharField(_("label"), max_length=100)
    type = models.CharField(_("type"), max_length=16, choices=AttributeType.choices)
    # The allowed values of a list attribute, one per item.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="attribute_key_unique")
        ]
        verbose_name = _("attribute definition")
        verbose_name_plural = _("attribute definitions")

    def __str__(self) -> str:
        return f"{self.get_entity_display()}: {self.label}"
