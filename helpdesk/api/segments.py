"""Segments: list, one, members, live count; create, edit and delete (supervisors, admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from helpdesk.actions import segments as segment_actions
from helpdesk.actions.companies import check_may_read_crm
from helpdesk.actions.errors import NotFound
from helpdesk.api.auth import require_scope
from helpdesk.api.pagination import decode_id_cursor, encode_cursor, page_limit
from helpdesk.api.schemas import ContactPage
from helpdesk.api.serialize import contact_out
from helpdesk.api.types import CursorText, JsonObject, PageLimit, PathId, Text
from helpdesk.crm import segments
from helpdesk.crm.visibility import readable_contacts
from helpdesk.models import Segment, TokenScope

router = Router(tags=["segments"])


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    definition: dict[str, Any]
    updated_at: datetime


class SegmentCount(Schema):
    id: int
    count: int  # members the caller may see (all of them for an admin)


class SegmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=150)]
    description: Annotated[Text, Field(max_length=300)] = ""
    # A contact filter: q, tags, channel, company_id, attributes [{key, op, value}],
    # seen_within_days, not_seen_for_days, has_open_tickets, include_ids (docs/contacts.md).
    definition: JsonObject = Field(default_factory=dict)


class PageParams(Schema):
    cursor: CursorText | None = None
    limit: PageLimit | None = None


def _out(segment: Segment) -> dict[str, Any]:
    return {
        "id": segment.pk,
        "name": segment.name,
        "description": segment.description,
        "definition": segment.definition or {},
        "updated_at": segment.updated_at,
    }


def _segment(request: HttpRequest, segment_id: int) -> Segment:
    check_may_read_crm(request.user)
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(f"segment {segment_id} not found")
    return segment


@router.get("/segments", response=list[SegmentOut], summary="List segments")
def list_segments(request: HttpRequest) -> Any:
    check_may_read_crm(request.user)
    return [_out(s) for s in Segment.objects.order_by("name")[:500]]


@router.get("/segments/{segment_id}", response=SegmentOut, summary="One segment")
def get_segment(request: HttpRequest, segment_id: PathId) -> Any:
    return _out(_segment(request, segment_id))


@router.get("/segments/{segment_id}/count", response=SegmentCount, summary="Count members")
def count_segment(request: HttpRequest, segment_id: PathId) -> Any:
    """The live number of members the caller may see."""
    segment = _segment(request, segment_id)
    return {"id": segment.pk, "count": segments.count(segment, readable_contacts(request.user))}


@router.get("/segments/{segment_id}/members", response=ContactPage, summary="Members")
def segment_members(request: HttpRequest, segment_id: PathId, params: Query[PageParams]) -> Any:
    """The members the caller may see, newest first, keyset-paginated."""
    segment = _segment(request, segment_id)
    limit = page_limit(params.limit)
    qs = segments.members(segment, readable_contacts(request.user))
    if params.cursor:
        qs = qs.filter(id__lt=decode_id_cursor(params.cursor))
    rows = list(qs.prefetch_related("identities").order_by("-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return {"items": [contact_out(c) for c in rows[:limit]], "next_cursor": next_cursor}


@router.post("/segments", response={201: SegmentOut}, summary="Create a segment")
def create_segment(request: HttpRequest, payload: SegmentIn) -> Any:
    require_scope(request, TokenScope.ADMIN)
    segment = segment_actions.do_save_segment(
        request.user,
        None,
        name=payload.name,
        description=payload.description,
        definition=payload.definition,
    )
    return 201, _out(segment)


@router.put("/segments/{segment_id}", response=SegmentOut, summary="Replace a segment")
def update_segment(request: HttpRequest, segment_id: PathId, payload: SegmentIn) -> Any:
    require_scope(request, TokenScope.ADMIN)
    segment = segment_actions.do_save_segment(
        request.user,
        segment_id,
        name=payload.name,
        description=payload.description,
        definition=payload.definition,
    )
    return _out(segment)


@router.delete("/segments/{segment_id}", response={204: None}, summary="Delete a segment")
def delete_segment(request: HttpRequest, segment_id: PathId) -> Any:
    require_scope(request, TokenScope.ADMIN)
    segment_actions.do_delete_segment(request.user, segment_id)
    return 204, None
