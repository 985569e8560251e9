"""Normalization of contact addresses, so one person is one identity per channel."""

from __future__ import annotations

import phonenumbers

from helpdesk.digits import ascii_digits
from helpdesk.models import IdentityKind


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


def normalize_address(kind: str, raw: str, *, default_region: str = "IR") -> str:
    address = raw.strip()
    if not address:
        raise InvalidAddress(f"empty {kind} address")
    if kind == IdentityKind.EMAIL:
        if "@" not in address:
            raise InvalidAddress(f"not an email address: {raw!r}")
        return address.lower()
    if kind == IdentityKind.PHONE:
        return normalize_phone(address, default_region)
    return address
