"""Apply one Telegram update to the desk, exactly once (the shared Bot API kit's handler)."""

from __future__ import annotations

from telegram import Update

from channels_in.telegram.channel import PROFILE
from channels_in.telegram.models import TelegramConfig
from helpdesk.channel_kit.botapi import handler
from helpdesk.channel_kit.botapi.handler import enqueue

__all__ = ["enqueue", "handle_update"]


def handle_update(config: TelegramConfig, update: Update) -> str:
    """Store what `update` means; returns a short outcome for logs and tests."""
    return handler.handle_update(PROFILE, config, update)
