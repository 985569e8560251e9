"""Apply one Bale update to the desk, exactly once (the shared Bot API kit's handler)."""

from __future__ import annotations

from telegram import Update

from channels_in.bale.channel import PROFILE
from channels_in.bale.models import BaleConfig
from helpdesk.channel_kit.botapi import handler


def handle_update(config: BaleConfig, update: Update) -> str:
    """Store what `update` means; returns a short outcome for logs and tests."""
    return handler.handle_update(PROFILE, config, update)
