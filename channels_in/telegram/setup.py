"""Bot setup calls used by the admin and the management command: getMe, set/delete webhook."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from telegram.error import InvalidToken, TelegramError

from channels_in.telegram.bot import open_bot, redact, run_sync
from channels_in.telegram.models import TelegramConfig, new_webhook_secret
from channels_in.telegram.polling import ALLOWED_UPDATES


class SetupError(Exception):
    """Telegram refused or could not be reached; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class BotInfo:
    id: int
    username: str
    name: str


def check_token(token: str) -> BotInfo:
    """Ask Telegram who the bot is (getMe); SetupError if the token is refused."""

    async def _me() -> BotInfo:
        async with open_bot(token) as bot:
            me = await bot.get_me()
            return BotInfo(id=me.id, username=me.username or "", name=me.full_name)

    try:
        return run_sync(_me())
    except InvalidToken as exc:
        raise SetupError("Telegram refused this bot token (Unauthorized)") from exc
    except TelegramError as exc:
        raise SetupError(f"Telegram could not check the token: {redact(exc.message)}") from exc


def webhook_url(config: TelegramConfig) -> str:
    base = str(settings.PUBLIC_BASE_URL).rstrip("/")
    return base + reverse("telegram-webhook", args=[config.inbox_id])


def set_webhook(config: TelegramConfig) -> str:
    """Point the bot at our webhook URL with a fresh random secret_token; returns the URL."""
    url = webhook_url(config)
    secret = new_webhook_secret()

    async def _set() -> None:
        async with open_bot(config.bot_token) as bot:
            await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    try:
        run_sync(_set())
    except TelegramError as exc:
        raise SetupError(f"Telegram refused the webhook: {redact(exc.message)}") from exc
    # Saved after Telegram accepted it: a delivery racing us gets 403 and is retried.
    TelegramConfig.objects.filter(pk=config.pk).update(
        webhook_secret=secret, webhook_url=url, webhook_set_at=timezone.now()
    )
    return url


def delete_webhook(config: TelegramConfig) -> None:
    """Remove the webhook (pending updates are kept for polling)."""

    async def _delete() -> None:
        async with open_bot(config.bot_token) as bot:
            await bot.delete_webhook(drop_pending_updates=False)

    try:
        run_sync(_delete())
    except TelegramError as exc:
        raise SetupError(f"Telegram refused to delete the webhook: {redact(exc.message)}") from exc
    TelegramConfig.objects.filter(pk=config.pk).update(webhook_url="", webhook_set_at=None)
