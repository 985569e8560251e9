"""Strict translation of a Telegram Update into what the core understands (the kit's parser)."""

from __future__ import annotations

from telegram import Update

from channels_in.telegram.channel import PROFILE
from channels_in.telegram.shape import load_update
from helpdesk.channel_kit.botapi import parse
from helpdesk.channel_kit.botapi.parse import (
    ChatInfo,
    Ignored,
    Incoming,
    MediaRef,
    MemberChange,
    ParsedUpdate,
    StartCommand,
    external_id,
)

__all__ = [
    "ChatInfo",
    "Ignored",
    "Incoming",
    "MediaRef",
    "MemberChange",
    "ParsedUpdate",
    "StartCommand",
    "external_id",
    "load_update",
    "parse_update",
    "too_large_note",
]


def parse_update(update: Update, inbox_id: int) -> ParsedUpdate:
    """What this update means for the desk; group chats and channel posts are Ignored."""
    return parse.parse_update(PROFILE, update, inbox_id)


def too_large_note(name: str, size: int, limit: int) -> str:
    """The note an agent reads instead of a file we could not fetch."""
    return parse.too_large_note(PROFILE, name, size, limit)
