"""A valid sample payload for every event schema, built from the schema itself.

New event types get a sample automatically, so the round-trip tests cover them
the day they are added.
"""

from __future__ import annotations

import types
from datetime import UTC, datetime
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from helpdesk import events
from helpdesk.event_schemas import EventSchema

_WHEN = datetime(2025, 3, 20, 21, 30, 15, 123456, tzinfo=UTC)  # Nowruz, microseconds kept


def sample_value(annotation: Any, name: str = "") -> Any:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        # Fill optional fields too: None is the easy case, a value is the revealing one.
        return sample_value(next(a for a in get_args(annotation) if a is not type(None)), name)
    if origin is list:
        return [sample_value(get_args(annotation)[0], name), sample_value(get_args(annotation)[0])]
    if origin is dict:
        return {"key": "مقدار"}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return sample_payload(annotation)
    simple: dict[Any, Any] = {
        int: 4_294_967_296 + len(name),  # wider than 32 bits
        str: f'سلام «{name}» \u200c hello\n\t"quoted" \\ </script>',
        bool: True,
        float: 1.5,
        datetime: _WHEN,
    }
    if annotation in simple:
        return simple[annotation]
    raise AssertionError(f"no sample for {annotation!r} ({name}): teach event_samples.py")


def sample_payload(schema: type[BaseModel]) -> dict[str, Any]:
    return {name: sample_value(f.annotation, name) for name, f in schema.model_fields.items()}


def every_event() -> list[EventSchema]:
    """One sample of every installed event schema, the core's and the channels'."""
    return [schema.model_validate(sample_payload(schema)) for schema in events.schemas().values()]
