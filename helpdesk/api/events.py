"""Event catch-up: what a client missed since the last sequence number it saw."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from helpdesk.api.schemas import EventPage
from helpdesk.api.types import MAX_ID
from helpdesk.events import settled, to_frame
from helpdesk.staff.access import visible_events

router = Router(tags=["events"])

EVENTS_DEFAULT = 100
EVENTS_MAX = 500


class EventFilters(Schema):
    after: int = Field(0, ge=0, le=MAX_ID, description="the last seq the client has seen")
    limit: int = Field(EVENTS_DEFAULT, ge=1, le=EVENTS_MAX)


@router.get("/events", response=EventPage, summary="Events after a sequence number")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> Any:
    """Events the caller may read with seq > `after`, ascending, in the live frame shape."""
    with settled():  # no smaller seq can commit after this read
        rows = list(
            visible_events(request.user)
            .filter(id__gt=filters.after)
            .order_by("id")[: filters.limit + 1]
        )
    has_more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {
        "items": [to_frame(e) for e in rows],
        "last_seq": rows[-1].pk if rows else filters.after,
        "has_more": has_more,
    }
