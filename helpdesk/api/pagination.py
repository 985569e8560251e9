"""Opaque keyset cursors and page limits shared by the list endpoints."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from django.conf import settings

from helpdesk.actions.errors import Invalid
from helpdesk.api.types import MAX_ID

DEFAULT_LIMIT = 25


def page_limit(limit: int | None) -> int:
    """The requested page size (types.PageLimit checked it), or the default."""
    if limit is None:
        return min(DEFAULT_LIMIT, settings.HELPDESK_API_PAGE_MAX)
    return limit


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise Invalid("the cursor is not one this API returned", field="cursor") from exc
    if not isinstance(values, list):
        raise Invalid("the cursor is not one this API returned", field="cursor")
    return values


def _check_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise Invalid("the cursor is not one this API returned", field="cursor")
    return value


def decode_id_cursor(cursor: str) -> int:
    """The id position of an id-ordered cursor."""
    values = _decode(cursor)
    if len(values) != 1:
        raise Invalid("the cursor is not one this API returned", field="cursor")
    return _check_id(values[0])


def decode_time_id_cursor(cursor: str) -> tuple[datetime | None, int]:
    """The (time or None, id) position of a time-then-id ordered cursor."""
    values = _decode(cursor)
    if len(values) != 2 or not (values[0] is None or isinstance(values[0], str)):
        raise Invalid("the cursor is not one this API returned", field="cursor")
    moment = None
    if values[0] is not None:
        try:
            moment = datetime.fromisoformat(values[0])
        except ValueError as exc:
            raise Invalid("the cursor is not one this API returned", field="cursor") from exc
        if moment.tzinfo is None:
            raise Invalid("the cursor is not one this API returned", field="cursor")
    return moment, _check_id(values[1])
