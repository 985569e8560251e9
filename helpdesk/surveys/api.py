"""`GET /api/v1/surveys/responses`: survey answers the caller may read, newest first.

Agents see the answers of their teams' tickets, admins all of them; filtered by
kind, period, team, agent and inbox; keyset-paginated like the other lists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema

from helpdesk.actions.errors import Invalid
from helpdesk.api.pagination import decode_time_id_cursor, encode_cursor, page_limit
from helpdesk.api.types import CursorText, PageLimit, QueryId, UtcDatetime
from helpdesk.staff.access import is_admin, team_ids
from helpdesk.surveys.models import SurveyResponse

router = Router(tags=["surveys"])


class ResponseFilters(Schema):
    kind: Literal["csat", "nps"] | None = None
    since: UtcDatetime | None = None
    until: UtcDatetime | None = None
    team: QueryId | None = None
    agent: QueryId | None = None
    inbox: QueryId | None = None
    cursor: CursorText | None = None
    limit: PageLimit | None = None


class SurveyResponseOut(Schema):
    id: int
    kind: str
    score: int
    comment: str
    ticket_id: int
    contact_id: int
    agent_id: int | None
    team_id: int | None
    inbox_id: int
    channel: str
    answered_at: datetime


class SurveyResponsePage(Schema):
    items: list[SurveyResponseOut]
    next_cursor: str | None


FIELDS = (
    "id",
    "kind",
    "score",
    "comment",
    "ticket_id",
    "contact_id",
    "agent_id",
    "team_id",
    "inbox_id",
    "channel",
    "answered_at",
)


def visible_responses(user: Any) -> Any:
    """The answers the user may read: their teams' (all for admins)."""
    if is_admin(user):
        return SurveyResponse.objects.all()
    return SurveyResponse.objects.filter(team_id__in=team_ids(user))


@router.get("/responses", response=SurveyResponsePage, summary="List survey answers")
def list_responses(request: HttpRequest, filters: Query[ResponseFilters]) -> Any:
    """CSAT and NPS answers, newest first (`since` inclusive, `until` exclusive)."""
    limit = page_limit(filters.limit)
    qs = visible_responses(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.since:
        qs = qs.filter(answered_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(answered_at__lt=filters.until)
    for name in ("team", "agent", "inbox"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    if filters.cursor:
        moment, last_id = decode_time_id_cursor(filters.cursor)
        if moment is None:
            raise Invalid("the cursor is not one this API returned", field="cursor")
        qs = qs.filter(Q(answered_at__lt=moment) | Q(answered_at=moment, id__lt=last_id))
    rows = list(qs.order_by("-answered_at", "-id").values(*FIELDS)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last["answered_at"].isoformat(), last["id"])
    return {"items": rows[:limit], "next_cursor": next_cursor}
