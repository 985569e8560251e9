"""Normalization of contact addresses, so one person is one identity per channel.

Each channel's manifest names the normalizer of its identity kinds; the common
ones (email addresses, phone numbers, opaque ids) live here so that channels
sharing a kind (phone calls, SMS, WhatsApp all know people by phone number)
normalize alike.
"""

from __future__ import annotations

import phonenumbers

from helpdesk import channels
from helpdesk.digits import ascii_digits


class InvalidAddress(ValueError):
    pass


def normalize_phone(raw: str, default_region: str = "IR") -> str:
    """Return `raw` in E.164, accepting Persian/Arabic-Indic digits, 00 and local forms."""
    text = ascii_digits(raw).strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidAddress(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidAddress(f"not a possible phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    address = raw.strip()
    if "@" not in address:
        raise InvalidAddress(f"not an email address: {raw!r}")
    return address.lower()


def normalize_plain(raw: str) -> str:
    """Opaque ids (a Telegram user id, a chat visitor key): only surrounding space goes."""
    return raw.strip()


def normalize_address(kind: str, raw: str) -> str:
    """`raw` in the canonical form of identity `kind`, by the normalizer its channel names."""
    if not raw.strip():
        raise InvalidAddress(f"empty {kind} address")
    try:
        normalize = channels.identity_normalizer(kind)
    except LookupError as exc:
        raise InvalidAddress(str(exc)) from exc
    return normalize(raw)


# Identity kinds several channels share (phone calls, SMS and WhatsApp all know
# a person by number; email and the web form by address). Channel-specific kinds
# (a Telegram user id, a chat visitor) are declared by their channel alone.
EMAIL = "email"
PHONE = "phone"
