"""WhatsApp configuration per inbox, approved message templates, and per-message statuses."""

from __future__ import annotations

import re
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.crypto import EncryptedTextField

_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


def new_verify_token() -> str:
    return secrets.token_urlsafe(32)


class WhatsAppConfig(models.Model):
    """A WhatsApp Business phone number serving one inbox."""

    inbox = models.OneToOneField(
        "helpdesk.Inbox",
        on_delete=models.CASCADE,
        related_name="whatsapp_config",
        limit_choices_to={"kind": "whatsapp"},
        verbose_name=_("inbox"),
    )
    phone_number_id = models.CharField(
        _("phone number ID"),
        max_length=32,
        unique=True,
        help_text=_("From Meta's WhatsApp Manager (API Setup): the number's ID, not the number."),
    )
    display_phone_number = models.CharField(_("phone number"), max_length=32, blank=True)
    access_token = EncryptedTextField(
        _("access token"), help_text=_("A system user's permanent token; stored encrypted.")
    )
    app_secret = EncryptedTextField(
        _("app secret"),
        help_text=_("The Meta app's secret: every webhook call is signed with it."),
    )
    verify_token = EncryptedTextField(
        _("verify token"),
        default=new_verify_token,
        help_text=_("Typed into Meta's webhook settings; Meta echoes it when it checks the URL."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WhatsApp number")
        verbose_name_plural = _("WhatsApp numbers")

    def __str__(self) -> str:
        return self.display_phone_number or f"WhatsApp {self.phone_number_id}"


class WhatsAppTemplate(models.Model):
    """A message template Meta approved, the only thing a business may send first
    or after the customer's 24-hour window has closed."""

    config = models.ForeignKey(
        WhatsAppConfig, on_delete=models.CASCADE, related_name="templates", verbose_name=_("number")
    )
    name = models.CharField(_("template name"), max_length=512, help_text=_("As approved by Meta."))
    language = models.CharField(_("language code"), max_length=15, default="fa")
    body = models.TextField(
        _("body"), help_text=_("The approved text, with {{1}}, {{2}}… where values go.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["config", "name", "language"], name="whatsapp_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    @property
    def parameter_count(self) -> int:
        """How many {{n}} values the body takes."""
        return max((int(n) for n in _PLACEHOLDER.findall(self.body)), default=0)

    def render(self, values: list[str]) -> str:
        """The body with its values in: what the customer reads (and the desk stores)."""
        return _PLACEHOLDER.sub(lambda m: values[int(m.group(1)) - 1], self.body)

    def clean(self) -> None:
        numbers = sorted({int(n) for n in _PLACEHOLDER.findall(self.body)})
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValidationError({"body": _("Placeholders must be {{1}}, {{2}}… without gaps.")})


class TemplateSend(models.Model):
    """An outbound message to be sent as a template (the agent chose it in the composer)."""

    message = models.OneToOneField(
        "helpdesk.Message", on_delete=models.CASCADE, related_name="whatsapp_template"
    )
    template = models.ForeignKey(WhatsAppTemplate, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.template} for message {self.message_id}"


class Status(models.TextChoices):
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class MessageStatus(models.Model):
    """WhatsApp's statuses of one outbound message, each recorded once."""

    message = models.ForeignKey(
        "helpdesk.Message", on_delete=models.CASCADE, related_name="whatsapp_statuses"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    at = models.DateTimeField()
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "status"], name="whatsapp_status_unique")
        ]

    def __str__(self) -> str:
        return f"{self.status} for message {self.message_id}"


class SentPart(models.Model):
    """One WhatsApp message an outbound message became (text chunks, files), so a retry
    skips the parts already sent and statuses find their message by WhatsApp's id."""

    message = models.ForeignKey(
        "helpdesk.Message", on_delete=models.CASCADE, related_name="whatsapp_parts"
    )
    index = models.PositiveSmallIntegerField()
    wamid = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["message", "index"]
        constraints = [
            models.UniqueConstraint(fields=["message", "index"], name="whatsapp_part_unique")
        ]

    def __str__(self) -> str:
        return self.wamid
