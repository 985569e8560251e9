"""Outbound text for Telegram's HTML parse mode (the shared Bot API kit's)."""

from __future__ import annotations

from helpdesk.channel_kit.botapi.format import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    html_to_telegram,
    split_text,
    telegram_chunks,
    utf16_len,
)

__all__ = [
    "CAPTION_LIMIT",
    "TEXT_LIMIT",
    "html_to_telegram",
    "split_text",
    "telegram_chunks",
    "utf16_len",
]
