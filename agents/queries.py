"""The inbox lists: which tickets, filtered and searched, in keyset pages, with counts."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from helpdesk.digits import ascii_digits
from helpdesk.models import Ticket, TicketStatus
from helpdesk.sla import api as sla_api
from helpdesk.staff.access import is_admin, team_ids, visible_tickets
from helpdesk.ticket_search import text_q

PAGE_SIZE = 25

# (key, label); "all" is only offered to admins.
LISTS: list[tuple[str, Any]] = [
    ("mine", _("Mine")),
    ("unassigned", _("Unassigned")),
    ("teams", _("My teams")),
    ("all", _("All")),
    # SLA: running targets due within the due-soon window, and breached ones.
    ("breaching", _("Breaching soon")),
    ("breached", _("Breached")),
]
# Orders of the list: newest activity first (the default), or the next SLA due time.
SORTS: list[tuple[str, Any]] = [("", _("Newest activity")), ("due", _("Next due"))]


@dataclass(frozen=True)
class Filters:
    """What the agent asked for; every field is optional except the list."""

    view: str = "mine"
    status: str = ""
    channel: str = ""
    inbox: int | None = None
    priority: int | None = None
    tag: str = ""
    assignee: int | None = None
    q: str = ""
    sort: str = ""
    cursor: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, params: Any, user: Any) -> Filters:
        def as_int(name: str) -> int | None:
            raw = ascii_digits(params.get(name) or "")
            return int(raw) if raw.isdigit() else None

        view = params.get("view") or "mine"
        if view not in dict(LISTS) or (view == "all" and not is_admin(user)):
            view = "mine"
        status = params.get("status") or ""
        return cls(
            view=view,
            status=status if status in TicketStatus.values or status == "any" else "",
            channel=(params.get("channel") or "")[:16],
            inbox=as_int("inbox"),
            priority=as_int("priority"),
            tag=(params.get("tag") or "").strip().lower()[:50],
            assignee=as_int("assignee"),
            q=(params.get("q") or "").strip()[:200],
            sort="due" if params.get("sort") == "due" else "",
            cursor=params.get("cursor") or "",
        )


def list_q(view: str, user: Any) -> Q:
    """The condition of one list, on top of what the user may see."""
    if view == "mine":
        return Q(assignee_id=user.pk)
    if view == "unassigned":
        return Q(assignee__isnull=True)
    if view == "teams":
        return Q(team_id__in=team_ids(user))
    if view == "breaching":
        return sla_api.due_soon_q()
    if view == "breached":
        return sla_api.breached_q()
    return Q()


def _status_q(status: str) -> Q:
    if status == "any":
        return Q()
    if status:
        return Q(status=status)
    return Q(status__in=TicketStatus.active())


def search_q(text: str) -> Q:
    """Subject, message text, contact name / identities, or the ticket number."""
    return text_q(text)


def _tag_q(tag: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(tags__contains=[tag])
    return Q(tags__icontains=f'"{tag}"')  # SQLite: match the JSON text of the list


def filtered(user: Any, f: Filters) -> QuerySet[Ticket]:
    qs = visible_tickets(user).filter(list_q(f.view, user), _status_q(f.status))
    if f.channel:
        qs = qs.filter(inbox__kind=f.channel)
    if f.inbox is not None:
        qs = qs.filter(inbox_id=f.inbox)
    if f.priority is not None:
        qs = qs.filter(priority=f.priority)
    if f.tag:
        qs = qs.filter(_tag_q(f.tag))
    if f.assignee is not None:
        qs = qs.filter(assignee_id=f.assignee)
    if f.q:
        qs = qs.filter(search_q(f.q))
    return qs


def encode_cursor(ticket: Ticket) -> str:
    stamp = ticket.last_message_at.isoformat() if ticket.last_message_at else ""
    return base64.urlsafe_b64encode(f"{stamp}|{ticket.pk}".encode()).decode()


def _after_cursor(qs: QuerySet[Ticket], cursor: str) -> QuerySet[Ticket]:
    try:
        stamp, _sep, raw_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        last_id = int(raw_id)
        when = datetime.fromisoformat(stamp) if stamp else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return qs
    if when is None:
        return qs.filter(last_message_at__isnull=True, id__lt=last_id)
    return qs.filter(
        Q(last_message_at__lt=when)
        | Q(last_message_at=when, id__lt=last_id)
        | Q(last_message_at__isnull=True)
    )


def page(user: Any, f: Filters) -> tuple[list[Ticket], str]:
    """One page of the list and the cursor of the next page ('' at the end)."""
    qs = filtered(user, f)
    if f.sort == "due":
        return _page_by_due(qs, f.cursor)
    if f.cursor:
        qs = _after_cursor(qs, f.cursor)
    rows = list(
        qs.select_related("contact", "inbox", "assignee__agent", "sla").order_by(
            F("last_message_at").desc(nulls_last=True), "-id"
        )[: PAGE_SIZE + 1]
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (encode_cursor(rows[-1]) if more and rows else "")


def _page_by_due(qs: QuerySet[Ticket], cursor: str) -> tuple[list[Ticket], str]:
    """The list by next SLA due time (soonest first, tickets without one last), keyset-paged."""
    if cursor:
        try:
            stamp, _sep, raw_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
            last_id = int(raw_id)
            due = datetime.fromisoformat(stamp) if stamp else None
        except (ValueError, binascii.Error, UnicodeDecodeError):
            due, last_id = None, 0
        if due is None:
            qs = qs.filter(sla__sort_due_at__isnull=True, id__gt=last_id)
        else:
            qs = qs.filter(
                Q(sla__sort_due_at__gt=due)
                | Q(sla__sort_due_at=due, id__gt=last_id)
                | Q(sla__sort_due_at__isnull=True)
            )
    rows = list(
        qs.select_related("contact", "inbox", "assignee__agent", "sla").order_by(
            F("sla__sort_due_at").asc(nulls_last=True), "id"
        )[: PAGE_SIZE + 1]
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if not (more and rows):
        return rows, ""
    last = rows[-1]
    due_at = getattr(getattr(last, "sla", None), "sort_due_at", None)
    stamp = due_at.isoformat() if due_at else ""
    return rows, base64.urlsafe_b64encode(f"{stamp}|{last.pk}".encode()).decode()


def counts(user: Any) -> dict[str, int]:
    """Open tickets per list and per status, in one query."""
    active = Q(status__in=TicketStatus.active())
    aggregates: dict[str, Any] = {
        key: Count("id", filter=active & list_q(key, user))
        for key, _label in LISTS
        if key != "all" or is_admin(user)
    }
    for status in TicketStatus.values:
        aggregates[f"status_{status}"] = Count("id", filter=Q(status=status))
    return dict(visible_tickets(user).aggregate(**aggregates))
