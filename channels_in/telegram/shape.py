"""The strict shape of Telegram updates: the shared Bot API kit's, named for Telegram."""

from __future__ import annotations

from typing import Any

from telegram import Update

from helpdesk.channel_kit.botapi import shape
from helpdesk.channel_kit.botapi.shape import MalformedUpdate

__all__ = ["MalformedUpdate", "load_update"]


def load_update(data: Any) -> Update:
    """Validate the shape strictly, then let python-telegram-bot build the objects."""
    return shape.load_update(data, "Telegram")
