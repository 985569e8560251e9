"""Long polling (getUpdates) for Telegram inboxes in polling mode (the kit's poller)."""

from __future__ import annotations

from telegram import Update

from channels_in.telegram.channel import PROFILE
from channels_in.telegram.handler import handle_update
from helpdesk.channel_kit.botapi import polling
from helpdesk.channel_kit.botapi.polling import BotApiPoller

ALLOWED_UPDATES = list(PROFILE.allowed_updates)


def process_update(config_id: int, update: Update) -> str:
    """Handle one polled update and move the offset past it, in one transaction."""
    return polling.process_update(PROFILE, config_id, update, handle_update)


def skip_update(config_id: int, update_id: int) -> None:
    """Give up on an update that failed too often (it is logged), so later ones flow."""
    polling.skip_update(PROFILE, config_id, update_id)


class TelegramPoller(BotApiPoller):
    """The Telegram listener of `manage.py listen`: one polling session per bot."""

    profile = PROFILE
    name = "telegram"

    def process(self, config_id: int, update: Update) -> str:
        return process_update(config_id, update)
