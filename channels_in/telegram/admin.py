"""Admin for Telegram bots: token checked with getMe on save, webhook actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from channels_in.telegram.models import TelegramConfig
from channels_in.telegram.setup import BotInfo, SetupError, check_token, delete_webhook, set_webhook
from helpdesk.channel_kit import SecretField, SecretsForm


class TelegramConfigForm(SecretsForm):
    bot_token = SecretField(
        label=_("bot token"),
        required=True,  # only when none is stored: blank keeps the current token
        help_text=_("From @BotFather. Leave empty to keep the current token."),
        error_messages={"required": _("A bot token is required.")},
    )

    class Meta:
        model = TelegramConfig
        fields = ["inbox", "bot_token", "mode", "welcome_message"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        token = cleaned.get("bot_token") or ""
        self.bot_info: BotInfo | None = None
        if not token or not self.secret_typed("bot_token"):
            return cleaned  # missing (reported by the field) or the stored token kept
        try:
            self.bot_info = check_token(token)
        except SetupError as exc:
            # The message never contains the token (setup.redact).
            self.add_error("bot_token", str(exc))
        return cleaned


@admin.register(TelegramConfig)
class TelegramConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = TelegramConfigForm
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
    actions = ["set_webhook_action", "delete_webhook_action"]

    def save_model(
        self, request: HttpRequest, obj: TelegramConfig, form: Any, change: bool
    ) -> None:
        info: BotInfo | None = getattr(form, "bot_info", None)
        if info is not None:
            obj.bot_id, obj.bot_username, obj.bot_name = info.id, info.username, info.name
            messages.success(
                request,
                _("Telegram knows this bot as %(name)s (@%(username)s).")
                % {"name": info.name, "username": info.username},
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Set the webhook (new secret token)"))
    def set_webhook_action(self, request: HttpRequest, queryset: QuerySet[TelegramConfig]) -> None:
        for config in queryset.select_related("inbox"):
            try:
                url = set_webhook(config)
            except SetupError as exc:
                messages.error(request, f"{config.inbox}: {exc}")
                continue
            messages.success(
                request,
                _("%(inbox)s: webhook set to %(url)s") % {"inbox": config.inbox, "url": url},
            )

    @admin.action(description=_("Remove the webhook"))
    def delete_webhook_action(
        self, request: HttpRequest, queryset: QuerySet[TelegramConfig]
    ) -> None:
        for config in queryset.select_related("inbox"):
            try:
                delete_webhook(config)
            except SetupError as exc:
                messages.error(request, f"{config.inbox}: {exc}")
                continue
            messages.success(request, _("%(inbox)s: webhook removed") % {"inbox": config.inbox})
