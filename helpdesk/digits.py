"""Digits both ways: what people type (Persian, Arabic-Indic) and what Persian readers see."""

from __future__ import annotations

_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def ascii_digits(text: str) -> str:
    """Persian (۰-۹) and Arabic-Indic (٠-٩) digits to ASCII."""
    return text.translate(_TO_ASCII)


def persian_digits(text: str) -> str:
    """ASCII digits to Persian (۰-۹), for text shown in the Persian UI."""
    return text.translate(_TO_PERSIAN)
