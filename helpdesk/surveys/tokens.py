"""Signed survey links: `/survey/<token>/` carries the request id, signed and dated.

A link is good for `HELPDESK_SURVEY_LINK_DAYS` (7) days from when the prompt was
sent; within that time the customer may answer again and change their answer.
A tampered or expired token is simply not found (the page says so kindly).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

SALT = "helpdesk.surveys.link"


def link_lifetime() -> timedelta:
    """How long a survey link accepts answers."""
    return timedelta(days=settings.HELPDESK_SURVEY_LINK_DAYS)


def make_token(request_id: int) -> str:
    """A URL-safe signed token naming survey request `request_id` (dated now)."""
    return signing.dumps(request_id, salt=SALT, compress=False)


def read_token(token: str) -> int | None:
    """The request id of a valid, unexpired token; None for anything else."""
    try:
        value = signing.loads(token, salt=SALT, max_age=link_lifetime())
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value
