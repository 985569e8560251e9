"""Long polling (getUpdates) for Bale inboxes in polling mode (the kit's poller)."""

from __future__ import annotations

from telegram import Update

from channels_in.bale.channel import PROFILE
from channels_in.bale.handler import handle_update
from helpdesk.channel_kit.botapi import polling
from helpdesk.channel_kit.botapi.polling import BotApiPoller


class BalePoller(BotApiPoller):
    """The Bale listener of `manage.py listen`: one polling session per bot."""

    profile = PROFILE
    name = "bale"

    def process(self, config_id: int, update: Update) -> str:
        return polling.process_update(PROFILE, config_id, update, handle_update)
