"""python-telegram-bot plumbing for Telegram, from the shared Bot API kit.

The Bot API root comes from settings.TELEGRAM_API_URL (Telegram's by default; a
local Bot API server or the test suite's fake server otherwise).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Bot

from channels_in.telegram.channel import PROFILE
from helpdesk.channel_kit.botapi import client
from helpdesk.channel_kit.botapi.client import RedactTokens, redact, retry_after_seconds, run_sync

__all__ = [
    "TELEGRAM_DOWNLOAD_LIMIT",
    "TELEGRAM_PHOTO_UPLOAD_LIMIT",
    "TELEGRAM_UPLOAD_LIMIT",
    "RedactTokens",
    "api_root",
    "install_log_redaction",
    "open_bot",
    "redact",
    "retry_after_seconds",
    "run_sync",
]

TELEGRAM_DOWNLOAD_LIMIT = PROFILE.download_limit
TELEGRAM_PHOTO_UPLOAD_LIMIT = PROFILE.photo_upload_limit
TELEGRAM_UPLOAD_LIMIT = PROFILE.upload_limit


def install_log_redaction() -> None:
    """Keep bot tokens out of every log line that may see a Bot API URL."""
    client.install_log_redaction("channels_in.telegram")


def api_root() -> str:
    return PROFILE.api_root()


@asynccontextmanager
async def open_bot(token: str, *, poll_timeout: float = 0) -> AsyncIterator[Bot]:
    """A Bot at Telegram's API root with its HTTP clients open for the block."""
    async with client.open_bot(PROFILE.api_root(), token, poll_timeout=poll_timeout) as bot:
        yield bot
