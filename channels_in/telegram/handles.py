"""Telegram customers by @username, for the contact search (IdentitySpec.handle_lookup)."""

from __future__ import annotations

from channels_in.telegram.channel import PROFILE
from helpdesk.channel_kit.botapi import handles


def addresses(handle: str) -> list[str]:
    """The Telegram user ids (identity addresses) whose current @username is `handle`."""
    return handles.addresses(PROFILE, handle)
