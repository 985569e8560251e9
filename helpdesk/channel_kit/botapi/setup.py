"""Bot setup calls used by admins and management commands: getMe, set/delete webhook."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from telegram.error import InvalidToken, TelegramError

from helpdesk.channel_kit.botapi.client import open_bot, redact, run_sync
from helpdesk.channel_kit.botapi.profile import BotApiProfile


class SetupError(Exception):
    """The service refused or could not be reached; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class BotInfo:
    id: int
    username: str
    name: str


def new_webhook_secret() -> str:
    """A fresh webhook secret: 64 characters of A-Z, a-z, 0-9, _ and - (both the
    secret_token header and a URL path segment accept them)."""
    return secrets.token_urlsafe(48)


def check_token(profile: BotApiProfile, token: str) -> BotInfo:
    """Ask the service who the bot is (getMe); SetupError if the token is refused."""

    async def _me() -> BotInfo:
        async with open_bot(profile.api_root(), token) as bot:
            me = await bot.get_me()
            return BotInfo(id=me.id, username=me.username or "", name=me.full_name)

    try:
        return run_sync(_me())
    except InvalidToken as exc:
        raise SetupError(f"{profile.service} refused this bot token (Unauthorized)") from exc
    except TelegramError as exc:
        raise SetupError(
            f"{profile.service} could not check the token: {redact(exc.message)}"
        ) from exc


def webhook_url(profile: BotApiProfile, config: Any, secret: str | None = None) -> str:
    """The public URL of `config`'s webhook; with the secret in the path when the
    service sends no secret header."""
    base = str(settings.PUBLIC_BASE_URL).rstrip("/")
    if profile.secret_header:
        return base + reverse(profile.webhook_route, args=[config.inbox_id])
    return base + reverse(profile.webhook_route, args=[config.inbox_id, secret or "-"])


def set_webhook(profile: BotApiProfile, config: Any) -> str:
    """Point the bot at our webhook URL with a fresh random secret; returns the URL.

    The secret travels as setWebhook's secret_token (echoed in a header) or, for a
    service without that header, as a path segment of the URL itself.
    """
    secret = new_webhook_secret()
    url = webhook_url(profile, config, secret)

    async def _set() -> None:
        async with open_bot(profile.api_root(), config.bot_token) as bot:
            if profile.secret_header:
                allowed = list(profile.allowed_updates)
                await bot.set_webhook(url, secret_token=secret, allowed_updates=allowed)
            else:
                await bot.set_webhook(url)

    try:
        run_sync(_set())
    except TelegramError as exc:
        raise SetupError(f"{profile.service} refused the webhook: {redact(exc.message)}") from exc
    # Saved after the service accepted it: a delivery racing us gets 403 and is retried.
    shown = url if profile.secret_header else webhook_url(profile, config, "…")
    type(config).objects.filter(pk=config.pk).update(
        webhook_secret=secret, webhook_url=shown, webhook_set_at=timezone.now()
    )
    return shown


def delete_webhook(profile: BotApiProfile, config: Any) -> None:
    """Remove the webhook (pending updates are kept for polling)."""

    async def _delete() -> None:
        async with open_bot(profile.api_root(), config.bot_token) as bot:
            await bot.delete_webhook(drop_pending_updates=False)

    try:
        run_sync(_delete())
    except TelegramError as exc:
        raise SetupError(
            f"{profile.service} refused to delete the webhook: {redact(exc.message)}"
        ) from exc
    type(config).objects.filter(pk=config.pk).update(webhook_url="", webhook_set_at=None)
