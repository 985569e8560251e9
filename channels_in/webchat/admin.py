from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from channels_in.webchat.models import (
    PrechatField,
    PrechatTarget,
    WebchatConfig,
    WebchatConversation,
    new_public_key,
)
from helpdesk.channel_kit import SecretField, SecretsForm


class WebchatConfigForm(SecretsForm):
    # The secret is never shown again; an empty field keeps the stored one.
    identity_secret = SecretField(
        label=_("identity verification secret"),
        help_text=_("Leave empty to keep the current secret."),
    )
    clear_identity_secret = forms.BooleanField(
        label=_("remove the secret (turn identity verification off)"), required=False
    )
    new_public_key = forms.BooleanField(
        label=_("issue a new public key (the old embed code stops working)"), required=False
    )

    class Meta:
        model = WebchatConfig
        fields = [
            "inbox",
            "title",
            "greeting",
            "allowed_origins",
            "language",
            "prechat_form",
            "offline_message",
            "expected_reply_minutes",
            "rate_limit_per_minute",
            "attachment_max_bytes",
        ]

    def save(self, commit: bool = True) -> WebchatConfig:
        config: WebchatConfig = super().save(commit=False)
        if self.cleaned_data.get("clear_identity_secret"):
            config.identity_secret = ""
        else:
            config.identity_secret = self.cleaned_data.get("identity_secret") or ""
        if self.cleaned_data.get("new_public_key"):
            config.public_key = new_public_key()
        if commit:
            config.save()
        return config


class PrechatFieldForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PrechatField
        fields = ["position", "target", "attribute", "label_en", "label_fa", "required"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        is_attribute = data.get("target") == PrechatTarget.ATTRIBUTE
        if is_attribute and not data.get("attribute"):
            self.add_error("attribute", _("Choose the contact attribute the answer goes to."))
        if not is_attribute and data.get("attribute"):
            self.add_error("attribute", _("Only an attribute question names an attribute."))
        return data


class PrechatFieldFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        """One question per destination (two "email" questions would overwrite each other)."""
        super().clean()
        seen: set[tuple[str, int | None]] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            attribute = data.get("attribute")
            where = (str(data.get("target")), attribute.pk if attribute else None)
            if where in seen:
                raise forms.ValidationError(_("Each answer can be stored in one place only once."))
            seen.add(where)


class PrechatFieldInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PrechatField
    form = PrechatFieldForm
    formset = PrechatFieldFormSet
    extra = 0
    verbose_name_plural = _(
        "pre-chat questions (when “ask name and email first” is on; none: name and email)"
    )


@admin.register(WebchatConfig)
class WebchatConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = WebchatConfigForm
    inlines = [PrechatFieldInline]
    list_display = ["inbox", "public_key", "language", "prechat_form", "verification"]
    readonly_fields = ["public_key", "embed_code"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [
            *WebchatConfigForm.Meta.fields,
            "identity_secret",
            "clear_identity_secret",
            "public_key",
            "new_public_key",
            "embed_code",
        ]

    @admin.display(description=_("identity verification"), boolean=True)
    def verification(self, obj: WebchatConfig) -> bool:
        return bool(obj.identity_secret)

    @admin.display(description=_("embed code"))
    def embed_code(self, obj: WebchatConfig) -> str:
        if not obj.pk:
            return "-"
        script = reverse("webchat:asset", args=["widget.js"])
        page = reverse("webchat:page", args=[obj.public_key])
        return format_html(
            '<code>&lt;script src="https://YOUR-DESK{}" data-key="{}" async&gt;'
            '&lt;/script&gt;</code><br>{} <a href="{}">{}</a>',
            script,
            obj.public_key,
            _("Standalone page:"),
            page,
            page,
        )


@admin.register(WebchatConversation)
class WebchatConversationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["visitor_id", "config", "name", "email", "email_linked", "created_at"]
    list_filter = ["config"]
    search_fields = ["name", "email", "visitor_id", "verified_user_id"]
    readonly_fields = [
        "config",
        "key",
        "visitor_id",
        "verified_user_id",
        "email_linked",
        "created_at",
        "last_seen_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
