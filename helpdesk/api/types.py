"""Bounded scalar types shared by the API's parameters and bodies.

Every integer the API accepts is bounded, so a huge number is a 422 naming the
field instead of an overflow deep in the database driver.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Path
from pydantic import AfterValidator, AwareDatetime, Field, StrictInt, StrictStr

MAX_ID = 2**63 - 1  # BigAutoField
MAX_VERSION = 2**31 - 1  # PositiveIntegerField


def _utc(value: datetime) -> datetime:
    # PostgreSQL refuses UTC offsets beyond +-15:59 that ISO 8601 and Python allow
    # (found by the API fuzzing); in UTC the instant is the same and always storable.
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time is out of range") from exc


Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
# An aware time (a naive one is refused), stored in UTC.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
Version = Annotated[StrictInt, Field(ge=1, le=MAX_VERSION)]
# Query and path values arrive as text, so these coerce (but stay bounded).
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


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


Text = Annotated[StrictStr, AfterValidator(_storable)]
QueryText = Annotated[str, AfterValidator(_storable)]
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


# Channel and identity kinds come from the installed channels (helpdesk.channels),
# so they are checked when a value arrives, not frozen into the schema.
ChannelKindText = Annotated[str, Field(max_length=16), AfterValidator(_installed_channel)]
IdentityKindText = Annotated[str, Field(max_length=16), AfterValidator(_identity_kind)]
