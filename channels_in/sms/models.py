"""SMS configuration per inbox, and what the channel remembers of each text it sent."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.crypto import EncryptedTextField

KAVENEGAR_API_URL = "https://api.kavenegar.com/v1"


class Provider(models.TextChoices):
    KAVENEGAR = "kavenegar", _("Kavenegar")
    GENERIC = "generic", _("Generic HTTP gateway")


class HttpMethod(models.TextChoices):
    POST = "POST", "POST"
    GET = "GET", "GET"


class BodyFormat(models.TextChoices):
    JSON = "json", _("JSON")
    FORM = "form", _("Form fields (application/x-www-form-urlencoded)")


def new_webhook_secret() -> str:
    # Part of the webhook URLs: unguessable, URL-safe.
    return secrets.token_urlsafe(32)


class SmsConfig(models.Model):
    """An SMS line serving one inbox, through one provider."""

    inbox = models.OneToOneField(
        "helpdesk.Inbox",
        on_delete=models.CASCADE,
        related_name="sms_config",
        limit_choices_to={"kind": "sms"},
        verbose_name=_("inbox"),
    )
    provider = models.CharField(
        _("provider"), max_length=16, choices=Provider.choices, default=Provider.KAVENEGAR
    )
    sender_number = models.CharField(
        _("line number"), max_length=32, help_text=_("The number texts are sent from.")
    )
    # Kavenegar
    api_url = models.URLField(
        _("Kavenegar API URL"), default=KAVENEGAR_API_URL, help_text=_("Change only for tests.")
    )
    api_key = EncryptedTextField(_("Kavenegar API key"), blank=True)
    # Generic HTTP gateway: sending
    send_url = models.URLField(_("send URL"), blank=True)
    send_method = models.CharField(
        _("method"), max_length=4, choices=HttpMethod.choices, default=HttpMethod.POST
    )
    auth_header_name = models.CharField(
        _("auth header name"), max_length=100, blank=True, help_text=_("e.g. X-API-KEY")
    )
    auth_header_value = EncryptedTextField(_("auth header value"), blank=True)
    body_format = models.CharField(
        _("body format"), max_length=4, choices=BodyFormat.choices, default=BodyFormat.JSON
    )
    body_template = models.TextField(
        _("body template"),
        blank=True,
        help_text=_(
            "One field per line, name = value (name[] = value adds to a list, a.b = value "
            "nests; a JSON object works too). In values {to} (+989121234567), {to_digits} "
            "(989121234567), {to_local} (09121234567), {text}, {from} and {reference} are "
            "replaced. Example: mobile = {to_local} / message = {text} / line = {from}"
        ),
    )
    response_id_field = models.CharField(
        _("message id in the response"),
        max_length=200,
        blank=True,
        help_text=_("Dotted path, e.g. data.messageId or entries.0.messageid"),
    )
    response_error_field = models.CharField(
        _("error text in the response"), max_length=200, blank=True, help_text=_("e.g. message")
    )
    check_url = models.URLField(
        _("test connection URL"),
        blank=True,
        help_text=_("Fetched with the auth header by 'Test connection' (a balance URL, say)."),
    )
    # Generic HTTP gateway: what its webhooks carry
    inbound_id_field = models.CharField(_("inbound: message id field"), max_length=200, blank=True)
    inbound_from_field = models.CharField(
        _("inbound: sender number field"), max_length=200, default="from"
    )
    inbound_text_field = models.CharField(_("inbound: text field"), max_length=200, default="text")
    report_id_field = models.CharField(
        _("report: message id field"), max_length=200, default="messageid"
    )
    report_status_field = models.CharField(
        _("report: status field"), max_length=200, default="status"
    )
    report_delivered_values = models.CharField(
        _("report: delivered values"),
        max_length=200,
        default="delivered",
        help_text=_("Comma-separated status values that mean delivered."),
    )
    report_failed_values = models.CharField(
        _("report: failed values"),
        max_length=200,
        default="failed,undelivered",
        help_text=_("Comma-separated status values that mean not delivered."),
    )
    report_words_field = models.CharField(_("report: reason field"), max_length=200, blank=True)
    # Sending rules
    max_segments = models.PositiveSmallIntegerField(
        _("longest reply (segments)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Replies longer than this many SMS segments are refused."),
    )
    cost_gsm = models.DecimalField(
        _("cost per Latin segment"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    cost_ucs2 = models.DecimalField(
        _("cost per Persian segment"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    currency = models.CharField(_("currency"), max_length=16, default="IRR")
    # Missed calls
    missed_call_text = models.TextField(
        _("text to missed callers"),
        blank=True,
        help_text=_("Sent by SMS when a call to one of the lines below is missed."),
    )
    missed_call_inboxes = models.ManyToManyField(
        "helpdesk.Inbox",
        blank=True,
        related_name="+",
        verbose_name=_("phone inboxes whose missed calls get the text"),
    )
    webhook_secret = EncryptedTextField(default=new_webhook_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SMS line")
        verbose_name_plural = _("SMS lines")

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.sender_number}"


class SmsStatus(models.TextChoices):
    """What the provider said of a text; `rank` orders them, so late reports lose."""

    QUEUED = "queued", _("Queued at the provider")
    SENT = "sent", _("Sent to the operator")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Not delivered")


RANK = {SmsStatus.QUEUED: 1, SmsStatus.SENT: 2, SmsStatus.DELIVERED: 3, SmsStatus.FAILED: 3}


class OutboundSms(models.Model):
    """A text the provider accepted (or reported on before we heard back from it)."""

    inbox = models.ForeignKey("helpdesk.Inbox", on_delete=models.CASCADE, related_name="+")
    # Null while a delivery report has arrived before the send returned.
    message = models.ForeignKey(
        "helpdesk.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sms_parts",
    )
    provider_message_id = models.CharField(max_length=100)
    number = models.CharField(max_length=32, blank=True)
    segments = models.PositiveSmallIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    status = models.CharField(max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    provider_status = models.CharField(max_length=50, blank=True)
    provider_words = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sent SMS")
        verbose_name_plural = _("sent SMS")
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "provider_message_id"], name="sms_outbound_unique"
            )
        ]

    def __str__(self) -> str:
        return f"SMS {self.provider_message_id} ({self.status})"
