"""Bounded scalar types shared by the API's parameters and bodies.

Every integer the API accepts is bounded, so a huge number is a 422 naming the
field instead of an overflow deep in the database driver.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

from django.conf import settings
from ninja import Path
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StrictInt, StrictStr

MAX_ID = 2**63 - 1  # BigAutoField
MAX_VERSION = 2**31 - 1  # PositiveIntegerField


def _utc(value: datetime) -> datetime:
    # PostgreSQL refuses UTC offsets beyond +-15:59 that ISO 8601 and Python allow
    # (found by the API fuzzing); in UTC the instant is the same and always storable.
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time is out of range") from exc


def _integral(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer (and Python's json reads it as a float),
    # so a whole float is the integer the document promises; 3.5, "3" and true are not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Integers in a JSON body: no strings or booleans, but a whole float is accepted.
# (The bounds come before the validator so the document shows them as minimum/maximum.)
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID), BeforeValidator(_integral)]
# An aware time (a naive one is refused), stored in UTC.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
Version = Annotated[StrictInt, Field(ge=1, le=MAX_VERSION), BeforeValidator(_integral)]
Priority = Annotated[StrictInt, Field(ge=1, le=4), BeforeValidator(_integral)]
# Query and path values arrive as text, so these coerce (but stay bounded).
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _within_page_max(value: int) -> int:
    if value > settings.HELPDESK_API_PAGE_MAX:
        raise ValueError(f"limit must be between 1 and {settings.HELPDESK_API_PAGE_MAX}")
    return value


def _page_max_schema(schema: dict[str, Any]) -> None:
    # The maximum is a setting: the document shows the value the server enforces now.
    schema["maximum"] = settings.HELPDESK_API_PAGE_MAX


# The page size of the list endpoints, 1 to HELPDESK_API_PAGE_MAX (read per request).
PageLimit = Annotated[
    int,
    Field(ge=1, le=MAX_ID, json_schema_extra=_page_max_schema),
    AfterValidator(_within_page_max),
]


def _storable(value: str) -> str:
    # PostgreSQL refuses NUL in text and JSON, and a lone surrogate (valid in a
    # JSON string escape) cannot be encoded: both would fail deep in the driver.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


def _storable_json(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        raise ValueError("is nested too deeply")
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, list):
        return [_storable_json(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_storable(str(k)): _storable_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must not contain NaN or Infinity")
    return value


# The NUL rule is in the document too (a lone surrogate cannot be written in JSON Schema).
NO_NUL: dict[str, Any] = {"pattern": "^[^\\u0000]*$"}
Text = Annotated[StrictStr, AfterValidator(_storable), Field(json_schema_extra=NO_NUL)]
QueryText = Annotated[str, AfterValidator(_storable), Field(json_schema_extra=NO_NUL)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_storable_json)]


def _installed_channel(value: str) -> str:
    from helpdesk import channels

    if value not in channels.kinds():
        raise ValueError(f"must be an installed channel: {', '.join(channels.kinds())}")
    return value


def _identity_kind(value: str) -> str:
    from helpdesk import channels

    if value and value not in channels.identity_specs():
        raise ValueError(f"must be an identity kind: {', '.join(channels.identity_specs())}")
    return value


def _channel_enum(schema: dict[str, Any]) -> None:
    from helpdesk import channels

    schema["enum"] = list(channels.kinds())


def _identity_enum(schema: dict[str, Any]) -> None:
    from helpdesk import channels

    schema["enum"] = ["", *channels.identity_specs()]


# Channel and identity kinds come from the installed channels (helpdesk.channels),
# so they are checked when a value arrives and listed when the document is built,
# not frozen into the schema at import.
ChannelKindText = Annotated[
    str,
    Field(max_length=16, json_schema_extra=_channel_enum),
    AfterValidator(_installed_channel),
]
IdentityKindText = Annotated[
    str,
    Field(max_length=16, json_schema_extra=_identity_enum),
    AfterValidator(_identity_kind),
]
# Opaque page cursors are what pagination.encode_cursor makes: unpadded URL-safe
# base64 (whether one is a cursor this API returned is checked on use).
CursorText = Annotated[str, Field(max_length=200, pattern=r"^[A-Za-z0-9_-]*$")]
# `me`, `none` or a user id of up to 18 digits (every such number is a storable id).
AssigneeText = Annotated[str, Field(pattern=r"^(me|none|[1-9][0-9]{0,17})$")]
