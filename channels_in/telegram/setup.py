"""Bot setup calls used by the admin and the management command (the kit's, for Telegram)."""

from __future__ import annotations

from channels_in.telegram.channel import PROFILE
from channels_in.telegram.models import TelegramConfig
from helpdesk.channel_kit.botapi import setup
from helpdesk.channel_kit.botapi.setup import BotInfo, SetupError

__all__ = ["BotInfo", "SetupError", "check_token", "delete_webhook", "set_webhook", "webhook_url"]


def check_token(token: str) -> BotInfo:
    """Ask Telegram who the bot is (getMe); SetupError if the token is refused."""
    return setup.check_token(PROFILE, token)


def webhook_url(config: TelegramConfig) -> str:
    return setup.webhook_url(PROFILE, config)


def set_webhook(config: TelegramConfig) -> str:
    """Point the bot at our webhook URL with a fresh random secret_token; returns the URL."""
    return setup.set_webhook(PROFILE, config)


def delete_webhook(config: TelegramConfig) -> None:
    """Remove the webhook (pending updates are kept for polling)."""
    setup.delete_webhook(PROFILE, config)
