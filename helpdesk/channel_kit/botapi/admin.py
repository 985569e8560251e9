"""The admin of a Bot API channel's bots, written once for Telegram and Bale.

A channel subclasses `BotConfigForm` (its model, its profile, the token's help
text) and `BotConfigAdmin` (its profile and form) and registers the admin; the
words that name the service are class attributes, so each channel keeps its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.channel_kit.botapi.setup import (
    BotInfo,
    SetupError,
    check_token,
    delete_webhook,
    set_webhook,
)
from helpdesk.channel_kit.secret_field import SecretField, SecretsForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class BotConfigForm(SecretsForm):
    """A bot's form: the token is write-only and checked with getMe when typed."""

    profile: ClassVar[BotApiProfile]
    token_help: ClassVar[StrOrPromise] = _("Leave empty to keep the current token.")

    bot_token = SecretField(
        label=_("bot token"),
        required=True,  # only when none is stored: blank keeps the current token
        error_messages={"required": _("A bot token is required.")},
    )

    class Meta:
        fields = ["inbox", "bot_token", "mode", "welcome_message"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bot_token"].help_text = self.token_help

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        token = cleaned.get("bot_token") or ""
        self.bot_info: BotInfo | None = None
        if not token or not self.secret_typed("bot_token"):
            return cleaned  # missing (reported by the field) or the stored token kept
        try:
            self.bot_info = check_token(self.profile, token)
        except SetupError as exc:
            self.add_error("bot_token", str(exc))  # never contains the token (redact)
        return cleaned


class BotConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Bots of one service: shows what getMe said, tests the token, sets the webhook."""

    profile: ClassVar[BotApiProfile]
    known_as: ClassVar[StrOrPromise]  # "%(name)s (@%(username)s)": after a token is saved
    connected_as: ClassVar[StrOrPromise]  # "%(inbox)s ... %(name)s (@%(username)s)"

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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        info: BotInfo | None = getattr(form, "bot_info", None)
        if info is not None:
            obj.bot_id, obj.bot_username, obj.bot_name = info.id, info.username, info.name
            messages.success(
                request, self.known_as % {"name": info.name, "username": info.username}
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Test the connection (getMe)"))
    def test_connection_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for config in queryset.select_related("inbox"):
            try:
                info = check_token(self.profile, config.bot_token)
            except SetupError as exc:
                messages.error(request, f"{config.inbox}: {exc}")
                continue
            words = {"inbox": config.inbox, "name": info.name, "username": info.username}
            messages.success(request, self.connected_as % words)

    @admin.action(description=_("Set the webhook (new secret)"))
    def set_webhook_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for config in queryset.select_related("inbox"):
            inbox = config.inbox
            try:
                url = set_webhook(self.profile, config)
            except SetupError as exc:
                messages.error(request, f"{inbox}: {exc}")
                continue
            messages.success(
                request, _("%(inbox)s: webhook set to %(url)s") % {"inbox": inbox, "url": url}
            )

    @admin.action(description=_("Remove the webhook"))
    def delete_webhook_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for config in queryset.select_related("inbox"):
            inbox = config.inbox
            try:
                delete_webhook(self.profile, config)
            except SetupError as exc:
                messages.error(request, f"{inbox}: {exc}")
                continue
            messages.success(request, _("%(inbox)s: webhook removed") % {"inbox": inbox})
