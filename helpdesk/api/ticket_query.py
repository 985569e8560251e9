"""Filtering, text search and keyset pagination of the ticket list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.db.models import F, Q, QuerySet
from ninja import Schema
from pydantic import Field

from helpdesk.api.pagination import decode_time_id_cursor, encode_cursor
from helpdesk.api.types import (
    AssigneeText,
    ChannelKindText,
    CursorText,
    PageLimit,
    QueryId,
    QueryText,
)
from helpdesk.models import Ticket, TicketStatus
from helpdesk.sla import api as sla_api
from helpdesk.sla.api import SlaFilter
from helpdesk.tag_lookup import tag_q
from helpdesk.ticket_search import text_q, ticket_number


class TicketFilters(Schema):
    status: list[TicketStatus] = Field(default_factory=list, max_length=len(TicketStatus))
    assignee: AssigneeText | None = Field(None, description="`me`, `none` or a user id")
    team: QueryId | None = None
    inbox: QueryId | None = None
    channel: ChannelKindText | None = None
    priority: int | None = Field(None, ge=1, le=4)
    tag: list[Annotated[QueryText, Field(max_length=50)]] = Field(
        default_factory=list, max_length=10
    )
    q: QueryText | None = Field(None, max_length=200)
    sla: SlaFilter | None = Field(None, description="`breached` now, or `due_soon`")
    cursor: CursorText | None = None
    limit: PageLimit | None = None


def apply_filters(qs: QuerySet[Ticket], f: TicketFilters, user_id: int) -> QuerySet[Ticket]:
    """Narrow `qs` (already limited to what the caller may read) by the list filters."""
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.assignee is not None:
        qs = _by_assignee(qs, f.assignee, user_id)
    if f.team is not None:
        qs = qs.filter(team_id=f.team)
    if f.inbox is not None:
        qs = qs.filter(inbox_id=f.inbox)
    if f.channel is not None:
        qs = qs.filter(inbox__kind=f.channel)
    if f.priority is not None:
        qs = qs.filter(priority=f.priority)
    for tag in f.tag:
        qs = _with_tag(qs, tag.strip().lower())
    if f.q and f.q.strip():
        qs = search(qs, f.q.strip())
    if f.sla is not None:
        qs = sla_api.filter_tickets(qs, f.sla)
    return qs


def _by_assignee(qs: QuerySet[Ticket], value: str, user_id: int) -> QuerySet[Ticket]:
    # ASSIGNEE_PATTERN has checked the value.
    if value == "me":
        return qs.filter(assignee_id=user_id)
    if value == "none":
        return qs.filter(assignee__isnull=True)
    return qs.filter(assignee_id=int(value))


def _with_tag(qs: QuerySet[Ticket], tag: str) -> QuerySet[Ticket]:
    return qs.filter(tag_q("tags", tag))


def search(qs: QuerySet[Ticket], q: str) -> QuerySet[Ticket]:
    """Match subject, message text, contact name, identity address, or the ticket number."""
    number = ticket_number(q)
    if q.startswith("#") and number is not None:
        return qs.filter(pk=number)
    return qs.filter(text_q(q))


def page(
    qs: QuerySet[Ticket, Any], cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of rows (a `.values()` queryset with `id` and `last_message_at`),
    ordered by (-last_message_at, -id), tickets without activity first.

    NULLS FIRST is what a descending index on last_message_at yields, so the
    ordering matches ticket_activity_idx and its siblings.
    """
    if cursor:
        moment, last_id = decode_time_id_cursor(cursor)
        qs = qs.filter(_after(moment, last_id))
    qs = qs.order_by(F("last_message_at").desc(nulls_first=True), F("id").desc())
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    stamp = last["last_message_at"].isoformat() if last["last_message_at"] else None
    return rows, encode_cursor(stamp, last["id"])


def _after(moment: datetime | None, last_id: int) -> Q:
    if moment is None:
        return Q(last_message_at__isnull=True, id__lt=last_id) | Q(last_message_at__isnull=False)
    return Q(last_message_at__lt=moment) | Q(last_message_at=moment, id__lt=last_id)
