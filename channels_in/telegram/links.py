"""Signed /start deep links: t.me/<bot>?start=<payload> (the shared Bot API kit's)."""

from __future__ import annotations

from channels_in.telegram.channel import KIND, PROFILE
from helpdesk.channel_kit.botapi import links
from helpdesk.channel_kit.botapi.links import LinkTarget

__all__ = ["LinkTarget", "deep_link", "make_payload", "verify_payload"]


def make_payload(
    inbox_id: int, *, contact_id: int | None = None, ticket_id: int | None = None
) -> str:
    """A start payload for exactly one of a contact or a ticket."""
    return links.make_payload(KIND, inbox_id, contact_id=contact_id, ticket_id=ticket_id)


def deep_link(bot_username: str, payload: str) -> str:
    return links.deep_link(PROFILE, bot_username, payload)


def verify_payload(inbox_id: int, payload: str) -> LinkTarget | None:
    """What a payload links to, or None if it is not one we signed for this inbox."""
    return links.verify_payload(KIND, inbox_id, payload)
