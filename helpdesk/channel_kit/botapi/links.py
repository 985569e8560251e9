"""Signed /start deep links: <service link>?start=<payload> links a chat to a contact or ticket.

The Bot API allows 64 characters of [A-Za-z0-9_-] in a start payload, so the
signature is a truncated HMAC (128 bits) bound to the inbox, not a Django signer.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from django.utils.crypto import constant_time_compare, salted_hmac

from helpdesk.channel_kit.botapi.profile import BotApiProfile

_PAYLOAD = re.compile(r"^([ct])(\d{1,18})_([A-Za-z0-9_-]{22})$")


@dataclass(frozen=True, slots=True)
class LinkTarget:
    contact_id: int | None = None
    ticket_id: int | None = None


def _salt(kind: str) -> str:
    return f"channels_in.{kind}.start-link"  # per channel: a link never works on another


def _signature(kind: str, inbox_id: int, subject: str) -> str:
    digest = salted_hmac(_salt(kind), f"{inbox_id}:{subject}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


def make_payload(
    kind: str, inbox_id: int, *, contact_id: int | None = None, ticket_id: int | None = None
) -> str:
    """A start payload for exactly one of a contact or a ticket."""
    if (contact_id is None) == (ticket_id is None):
        raise ValueError("give exactly one of contact_id and ticket_id")
    subject = f"c{contact_id}" if contact_id is not None else f"t{ticket_id}"
    return f"{subject}_{_signature(kind, inbox_id, subject)}"


def deep_link(profile: BotApiProfile, bot_username: str, payload: str) -> str:
    """The link a customer opens to start a chat with the bot carrying `payload`."""
    return profile.start_link.format(username=bot_username, payload=payload)


def verify_payload(kind: str, inbox_id: int, payload: str) -> LinkTarget | None:
    """What a payload links to, or None if it is not one we signed for this inbox."""
    channel = kind
    match = _PAYLOAD.match(payload)
    if match is None:
        return None
    kind, number, signature = match.groups()
    if not constant_time_compare(signature, _signature(channel, inbox_id, f"{kind}{number}")):
        return None
    return LinkTarget(contact_id=int(number)) if kind == "c" else LinkTarget(ticket_id=int(number))
