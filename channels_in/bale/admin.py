"""Admin for Bale bots: write-only token checked with getMe on save, connection test,
webhook actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from channels_in.bale.channel import PROFILE
from channels_in.bale.models import BaleConfig
from helpdesk.channel_kit import SecretField, SecretsForm
from helpdesk.channel_kit.botapi.setup import (
    BotInfo,
    SetupError,
    check_token,
    delete_webhook,
    set_webhook,
)


class BaleConfigForm(SecretsForm):
    bot_token = SecretField(
        label=_("bot token"),
        required=True,  # only when none is stored: blank keeps the current token
        help_text=_("From @BotFather in Bale. Leave empty to keep the current token."),
        error_messages={"required": _("A bot token is required.")},
    )

    class Meta:
        model = BaleConfig
        fields = ["inbox", "bot_token", "mode", "welcome_message"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        token = cleaned.get("bot_token") or ""
        self.bot_info: BotInfo | None = None
        if not token or not self.secret_typed("bot_token"):
            return cleaned  # missing (reported by the field) or the stored token kept
        try:
            self.bot_info = check_token(PROFILE, token)
        except SetupError as exc:
            self.add_error("bot_token", str(exc))  # never contains the token (redact)
        return cleaned


@admin.register(BaleConfig)
class BaleConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = BaleConfigForm
    list_display = ["inbox", "bot_username", "bot_name", "mode", "webhook_set_at"]
    list_select_related = ["inbox"]
    readonly_fields = ["bot_name", "bot_username", "webhook_url", "webhook_set_at"]
    fields = [
        "inbox",
        "bot_token",
        "bot_name",
        "bot_username",
        "mode",
        "welcome_message",
        "webhook_url",
        "webhook_set_at",
    ]
    actions = ["test_connection_action", "set_webhook_action", "delete_webhook_action"]

    def save_model(self, request: HttpRequest, obj: BaleConfig, form: Any, change: bool) -> None:
        info: BotInfo | None = getattr(form, "bot_info", None)
        if info is not None:
            obj.bot_id, obj.bot_username, obj.bot_name = info.id, info.username, info.name
            messages.success(
                request,
                _("Bale knows this bot as %(name)s (@%(username)s).")
                % {"name": info.name, "username": info.username},
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Test the connection (getMe)"))
    def test_connection_action(self, request: HttpRequest, queryset: QuerySet[BaleConfig]) -> None:
        for config in queryset.select_related("inbox"):
            try:
                info = check_token(PROFILE, config.bot_token)
            except SetupError as exc:
                messages.error(request, f"{config.inbox}: {exc}")
                continue
            messages.success(
                request,
                _("%(inbox)s: connected to Bale as %(name)s (@%(username)s).")
                % {"inbox": config.inbox, "name": info.name, "username": info.username},
            )

    @admin.action(description=_("Set the webhook (new secret address)"))
    def set_webhook_action(self, request: HttpRequest, queryset: QuerySet[BaleConfig]) -> None:
        for config in queryset.select_related("inbox"):
            try:
                url = set_webhook(PROFILE, config)
            except SetupError as exc:
                messages.error(request, f"{config.inbox}: {exc}")
                continue
            messages.success(
                request,
                _("%(inbox)s: webhook set to %(url)s") % {"inbox": config.inbox, "url": url},
            )

    @admin.action(description=_("Remove the webhook"))
    def delete_webhook_action(self, request: HttpRequest, queryset: QuerySet[BaleConfig]) -> None:
        for config in queryset.select_related("inbox"):
            try:
                delete_webhook(PROFILE, config)
            except SetupError as exc:
                messages.error(request, f"{config.inbox}: {exc}")
                continue
            messages.success(request, _("%(inbox)s: webhook removed") % {"inbox": config.inbox})
