"""What differs between services that speak Telegram's Bot API (Telegram, Bale).

A channel built on the kit declares one `BotApiProfile`: its inbox and identity
kinds, where its Bot API lives, its models (concrete in the channel's own app)
and the few protocol differences the kit knows about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class BotApiProfile:
    """One Bot-API service as a desk channel. Model names are "app_label.Model"."""

    kind: str  # the inbox kind
    identity: str  # the identity kind: the user's numeric id on the service
    service: str  # shown to agents and operators: "Telegram", "Bale"
    meta_prefix: str  # channel_meta keys: "<prefix>_chat_id", "<prefix>_media", ...
    api_url_setting: str  # the setting holding the API root (tests point it at a fake)
    default_api_url: str
    config_model: str
    chat_model: str
    handled_model: str
    part_model: str
    # Module with the channel's two tasks: download_media(message_id, attempt=1)
    # and send_welcome(inbox_id, chat_id) (Django tasks must be module-level).
    tasks_module: str
    webhook_route: str  # URL name of the channel's webhook view
    # The header in which the service echoes setWebhook's secret_token (Telegram);
    # None when it sends none (Bale): the secret is then a path segment of the URL.
    secret_header: str | None = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
    html: bool = True  # sendMessage understands parse_mode=HTML
    reply_parameters: bool = True  # reply_parameters (else the older reply_to_message_id)
    start_link: str = "https://t.me/{username}?start={payload}"
    allowed_updates: tuple[str, ...] = (
        "message",
        "edited_message",
        "my_chat_member",
        "callback_query",
    )
    # "module.function(config, query) -> str | None": what an inline-keyboard button
    # press means (parse.CallbackQuery), run inside the update's transaction; the
    # text it returns is shown to the customer when the press is answered. None:
    # presses are only answered (so the button stops spinning) and logged.
    callback_handler: str | None = None
    download_limit: int = 20 * MB  # getFile
    photo_upload_limit: int = 10 * MB  # sendPhoto
    upload_limit: int = 50 * MB  # sendDocument

    def api_root(self) -> str:
        """The Bot API root URL, read from settings at call time."""
        value = getattr(settings, self.api_url_setting, "") or self.default_api_url
        return str(value).rstrip("/")

    def model(self, which: str) -> Any:
        """One of the channel's models: "config", "chat", "handled" or "part"."""
        return apps.get_model(getattr(self, f"{which}_model"))

    def meta(self, key: str) -> str:
        """The channel_meta key for `key` ("chat_id" -> "telegram_chat_id")."""
        return f"{self.meta_prefix}_{key}"
