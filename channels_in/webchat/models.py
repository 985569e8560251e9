"""Live-chat configuration per inbox, and the visitor conversations it holds."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from channels_in.webchat.channel import KIND
from helpdesk.crypto import EncryptedTextField


def new_public_key() -> str:
    return secrets.token_urlsafe(16)


def new_conversation_key() -> str:
    return secrets.token_urlsafe(18)


class WidgetLanguage(models.TextChoices):
    AUTO = "auto", _("Follow the page")
    FA = "fa", _("Persian")
    EN = "en", _("English")


class WebchatConfig(models.Model):
    """How one live-chat inbox's widget behaves and where it may be embedded."""

    inbox = models.OneToOneField(
        "helpdesk.Inbox",
        on_delete=models.CASCADE,
        related_name="webchat",
        limit_choices_to={"kind": KIND},
    )
    # Public: it sits in the site's <script> tag and names the inbox, nothing more.
    public_key = models.CharField(
        _("public key"), max_length=40, unique=True, default=new_public_key
    )
    allowed_origins = models.TextField(
        _("allowed sites"),
        blank=True,
        help_text=_(
            "One per line: https://shop.example.com, shop.example.com (any scheme) or "
            "*.example.com (subdomains). The desk's own pages are always allowed."
        ),
    )
    identity_secret = EncryptedTextField(
        _("identity verification secret"),
        blank=True,
        help_text=_("When set, sites may sign their user id with HMAC-SHA256 under this secret."),
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    greeting = models.CharField(_("greeting"), max_length=300, blank=True)
    prechat_form = models.BooleanField(_("ask name and email first"), default=False)
    language = models.CharField(
        _("language"), max_length=4, choices=WidgetLanguage.choices, default=WidgetLanguage.AUTO
    )
    offline_message = models.TextField(
        _("offline message"),
        blank=True,
        help_text=_("Shown when no agent is online. Leave empty for the default text."),
    )
    expected_reply_minutes = models.PositiveIntegerField(
        _("expected reply time (minutes)"), default=120
    )
    rate_limit_per_minute = models.PositiveSmallIntegerField(
        _("visitor messages per minute"), default=20
    )
    attachment_max_bytes = models.PositiveIntegerField(
        _("attachment size limit (bytes)"), default=10 * 1024 * 1024
    )

    class Meta:
        verbose_name = _("live-chat settings")
        verbose_name_plural = _("live-chat settings")

    def __str__(self) -> str:
        return f"{self.inbox.name} ({self.public_key})"

    def attachment_limit(self) -> int:
        """This inbox's limit, never above the desk-wide HELPDESK_ATTACHMENT_MAX_BYTES."""
        return min(self.attachment_max_bytes, settings.HELPDESK_ATTACHMENT_MAX_BYTES)

    def origin_patterns(self) -> list[str]:
        return [
            line.strip().rstrip("/").lower()
            for line in self.allowed_origins.splitlines()
            if line.strip()
        ]


class WebchatConversation(models.Model):
    """One visitor's chat in one inbox, reached only through its signed visitor token.

    `key` names the channel-layer group `chat.<key>`; `visitor_id` is the address
    of the contact's `webchat` identity (the key for anonymous visitors, or
    `<inbox id>:user:<site user id>` for visitors the site has verified).
    """

    config = models.ForeignKey(
        WebchatConfig, on_delete=models.CASCADE, related_name="conversations"
    )
    key = models.CharField(max_length=40, unique=True, default=new_conversation_key)
    visitor_id = models.CharField(max_length=320, unique=True)
    verified_user_id = models.CharField(max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), max_length=320, blank=True)
    # Whether the pre-chat email became an identity of the contact (it may belong to
    # someone else already: then agents decide whether to merge).
    email_linked = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True)
    # When the visitor sent the pre-chat form, and what of it still waits for the
    # contact (a new visitor has none until the first message): phone, attributes.
    prechat_at = models.DateTimeField(null=True, blank=True)
    prechat_pending = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["config", "verified_user_id"],
                condition=~models.Q(verified_user_id=""),
                name="webchat_one_conversation_per_verified_user",
            )
        ]
        verbose_name = _("live-chat conversation")
        verbose_name_plural = _("live-chat conversations")

    def __str__(self) -> str:
        return f"{self.name or self.visitor_id} ({self.config.public_key})"

    @property
    def group(self) -> str:
        return f"chat.{self.key}"


class PrechatTarget(models.TextChoices):
    NAME = "name", _("Name")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone number")
    ATTRIBUTE = "attribute", _("Contact attribute")


class PrechatField(models.Model):
    """One question of a widget's pre-chat form and where its answer goes on the contact.

    Without any field the form asks name and email (when `prechat_form` is on).
    """

    config = models.ForeignKey(
        WebchatConfig, on_delete=models.CASCADE, related_name="prechat_fields"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    target = models.CharField(_("stored as"), max_length=10, choices=PrechatTarget.choices)
    attribute = models.ForeignKey(
        "helpdesk.AttributeDefinition",
        verbose_name=_("contact attribute"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"entity": "contact"},
    )
    label_en = models.CharField(_("label (English)"), max_length=150, blank=True)
    label_fa = models.CharField(_("label (Persian)"), max_length=150, blank=True)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pre-chat question")
        verbose_name_plural = _("pre-chat questions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target="attribute", attribute__isnull=False)
                | (~models.Q(target="attribute") & models.Q(attribute__isnull=True)),
                name="webchat_prechat_attribute_iff_target",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        """The name of the answer in the widget's frame: the target, or `attr:<key>`."""
        if self.target == PrechatTarget.ATTRIBUTE and self.attribute is not None:
            return f"attr:{self.attribute.key}"
        return str(self.target)
