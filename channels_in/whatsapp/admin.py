"""Admin for WhatsApp numbers: write-only secrets, templates inline, a connection test."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from channels_in.whatsapp.graph import Graph, GraphError
from channels_in.whatsapp.models import WhatsAppConfig, WhatsAppTemplate
from helpdesk.channel_kit import SecretField, SecretsForm


class WhatsAppConfigForm(SecretsForm):
    access_token = SecretField(
        label=_("access token"),
        required=True,
        help_text=_("A system user's permanent token. Leave empty to keep the stored one."),
        error_messages={"required": _("An access token is required.")},
    )
    app_secret = SecretField(
        label=_("app secret"),
        required=True,
        help_text=_("Meta app → Settings → Basic. Leave empty to keep the stored one."),
        error_messages={"required": _("The app secret is required.")},
    )
    verify_token = SecretField(
        label=_("verify token"),
        required=True,
        help_text=_(
            "Any long random text; type the same into Meta's webhook settings. "
            "Leave empty to keep the stored one."
        ),
        error_messages={"required": _("A verify token is required.")},
    )

    class Meta:
        model = WhatsAppConfig
        fields = ["inbox", "phone_number_id", "access_token", "app_secret", "verify_token"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.number_info: dict[str, Any] | None = None
        token, number = cleaned.get("access_token"), cleaned.get("phone_number_id")
        if not token or not number or self.errors:
            return cleaned
        if not self.secret_typed("access_token") and "phone_number_id" not in self.changed_data:
            return cleaned
        try:
            with Graph(token) as graph:
                self.number_info = graph.phone_number(number)
        except GraphError as exc:
            self.add_error(None, _("WhatsApp refused: %(why)s") % {"why": exc})
        return cleaned


class TemplateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = WhatsAppTemplate
    extra = 1
    fields = ["name", "language", "body", "active"]


@admin.register(WhatsAppConfig)
class WhatsAppConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = WhatsAppConfigForm
    inlines = [TemplateInline]
    list_display = ["inbox", "display_phone_number", "phone_number_id"]
    list_select_related = ["inbox"]
    readonly_fields = ["display_phone_number", "webhook_address"]
    fields = [
        "inbox",
        "phone_number_id",
        "display_phone_number",
        "access_token",
        "app_secret",
        "verify_token",
        "webhook_address",
    ]
    actions = ["test_connection_action"]

    @admin.display(description=_("callback URL for Meta"))
    def webhook_address(self, obj: WhatsAppConfig | None) -> str:
        base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
        return base + reverse("whatsapp-webhook")

    def save_model(
        self, request: HttpRequest, obj: WhatsAppConfig, form: Any, change: bool
    ) -> None:
        info: dict[str, Any] | None = getattr(form, "number_info", None)
        if info is not None:
            obj.display_phone_number = str(info.get("display_phone_number") or "")[:32]
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Test the connection"))
    def test_connection_action(
        self, request: HttpRequest, queryset: QuerySet[WhatsAppConfig]
    ) -> None:
        for config in queryset.select_related("inbox"):
            try:
                with Graph(config.access_token) as graph:
                    info = graph.phone_number(config.phone_number_id)
            except GraphError as exc:
                messages.error(request, f"{config.inbox}: {exc}")
                continue
            messages.success(
                request,
                _("%(inbox)s: connected to WhatsApp as %(name)s (%(number)s).")
                % {
                    "inbox": config.inbox,
                    "name": info.get("verified_name", ""),
                    "number": info.get("display_phone_number", ""),
                },
            )
