"""Admin for SMS lines: provider credentials write-only, webhook URLs, "test connection"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from channels_in.sms.models import OutboundSms, Provider, SmsConfig
from channels_in.sms.providers import provider_for
from channels_in.sms.providers.base import ProviderError
from channels_in.sms.providers.generic import TemplateError, parse_template
from channels_in.sms.providers.kavenegar import Kavenegar
from channels_in.sms.receive import apply_report
from helpdesk.channel_kit import SecretField, SecretsForm


class SmsConfigForm(SecretsForm):
    api_key = SecretField(label=_("Kavenegar API key"))
    auth_header_value = SecretField(label=_("auth header value"))

    class Meta:
        model = SmsConfig
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        provider = cleaned.get("provider")
        if provider == Provider.KAVENEGAR and not cleaned.get("api_key"):
            self.add_error("api_key", _("Kavenegar needs an API key."))
        if provider == Provider.GENERIC:
            if not cleaned.get("send_url"):
                self.add_error("send_url", _("The gateway needs a send URL."))
            try:
                parse_template(cleaned.get("body_template") or "")
            except TemplateError as exc:
                self.add_error("body_template", str(exc))
        return cleaned


@admin.register(SmsConfig)
class SmsConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = SmsConfigForm
    list_display = ["inbox", "provider", "sender_number", "max_segments"]
    list_select_related = ["inbox"]
    readonly_fields = ["webhook_urls"]
    filter_horizontal = ["missed_call_inboxes"]
    actions = ["test_connection"]
    fieldsets = [
        (None, {"fields": ["inbox", "provider", "sender_number", "webhook_urls"]}),
        (_("Kavenegar"), {"fields": ["api_key", "api_url"]}),
        (
            _("Generic HTTP gateway: sending"),
            {
                "fields": [
                    "send_url",
                    "send_method",
                    "auth_header_name",
                    "auth_header_value",
                    "body_format",
                    "body_template",
                    "response_id_field",
                    "response_error_field",
                    "check_url",
                ]
            },
        ),
        (
            _("Generic HTTP gateway: webhooks"),
            {
                "fields": [
                    "inbound_id_field",
                    "inbound_from_field",
                    "inbound_text_field",
                    "report_id_field",
                    "report_status_field",
                    "report_delivered_values",
                    "report_failed_values",
                    "report_words_field",
                ]
            },
        ),
        (_("Replies"), {"fields": ["max_segments", "cost_gsm", "cost_ucs2", "currency"]}),
        (_("Missed calls"), {"fields": ["missed_call_text", "missed_call_inboxes"]}),
    ]

    @admin.display(description=_("webhook URLs (give them to the provider)"))
    def webhook_urls(self, obj: SmsConfig) -> str:
        if not obj.pk:
            return str(_("Shown once the line is saved."))
        args = {"inbox_id": obj.inbox_id, "secret": obj.webhook_secret}
        base = settings.PUBLIC_BASE_URL.rstrip("/")
        return format_html(
            "{}: <code>{}</code><br>{}: <code>{}</code>",
            _("Received SMS"),
            base + reverse("sms-inbound", kwargs=args),
            _("Delivery reports"),
            base + reverse("sms-report", kwargs=args),
        )

    @admin.action(description=_("Test connection"))
    def test_connection(self, request: HttpRequest, queryset: QuerySet[SmsConfig]) -> None:
        for config in queryset.select_related("inbox"):
            try:
                answer = provider_for(config).check()
            except ProviderError as exc:
                messages.error(request, f"{config.inbox}: {exc.reason}")
                continue
            messages.success(request, f"{config.inbox}: {answer}")


@admin.register(OutboundSms)
class OutboundSmsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """What the providers said of each text (read only)."""

    list_display = [
        "provider_message_id",
        "inbox",
        "number",
        "segments",
        "cost",
        "status",
        "provider_words",
        "updated_at",
    ]
    list_filter = ["status", "inbox"]
    actions = ["ask_the_provider"]
    list_select_related = ["inbox"]
    search_fields = ["provider_message_id", "number"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Ask the provider for the status"))
    def ask_the_provider(self, request: HttpRequest, queryset: QuerySet[OutboundSms]) -> None:
        """For lines whose delivery reports do not reach the desk (Kavenegar only)."""
        by_inbox: dict[int, list[str]] = {}
        for inbox_id, provider_id in queryset.values_list("inbox_id", "provider_message_id"):
            by_inbox.setdefault(inbox_id, []).append(provider_id)
        for config in SmsConfig.objects.filter(inbox_id__in=by_inbox).select_related("inbox"):
            if config.provider != Provider.KAVENEGAR:
                messages.warning(request, f"{config.inbox}: {_('this gateway cannot be asked')}")
                continue
            try:
                reports = Kavenegar(config).statuses(by_inbox[config.inbox_id])
            except ProviderError as exc:
                messages.error(request, f"{config.inbox}: {exc.reason}")
                continue
            changed = [apply_report(config, r) for r in reports].count("updated")
            messages.success(
                request, _("%(inbox)s: %(n)s updated") % {"inbox": config.inbox, "n": changed}
            )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
