"""Contacts: list and search, one contact with its identities and tickets, edit, merge."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from helpdesk.actions import contacts as contact_actions
from helpdesk.actions.errors import NotFound
from helpdesk.api import bodies
from helpdesk.api.auth import require_scope
from helpdesk.api.pagination import decode_id_cursor, encode_cursor, page_limit
from helpdesk.api.schemas import ContactDetailOut, ContactPage
from helpdesk.api.serialize import TICKET_RELATED, contact_out, ticket_out
from helpdesk.api.types import CursorText, PageLimit, PathId, QueryText
from helpdesk.contact_search import search_contacts
from helpdesk.models import TokenScope
from helpdesk.staff.access import visible_contacts, visible_tickets

router = Router(tags=["contacts"])

DETAIL_TICKETS = 100


class ContactFilters(Schema):
    q: QueryText | None = Field(None, max_length=200)
    cursor: CursorText | None = None
    limit: PageLimit | None = None


@router.get("/contacts", response=ContactPage, summary="List contacts")
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> Any:
    """Contacts with a ticket the caller may read, newest first, keyset-paginated."""
    limit = page_limit(filters.limit)
    qs = visible_contacts(request.user).filter(merged_into__isnull=True)
    if filters.q and filters.q.strip():
        qs = search_contacts(qs, filters.q.strip())
    if filters.cursor:
        qs = qs.filter(id__lt=decode_id_cursor(filters.cursor))
    rows = list(qs.prefetch_related("identities").order_by("-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return {"items": [contact_out(c) for c in rows[:limit]], "next_cursor": next_cursor}


def _detail(request: HttpRequest, contact_id: int) -> dict[str, Any]:
    contact = (
        visible_contacts(request.user).prefetch_related("identities").filter(pk=contact_id).first()
    )
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    tickets = (
        visible_tickets(request.user)
        .filter(contact=contact)
        .select_related(*TICKET_RELATED)
        .order_by("-created_at", "-id")[:DETAIL_TICKETS]
    )
    return {
        **contact_out(contact),
        "notes": contact.notes,
        "custom_attributes": contact.custom_attributes or {},
        "merged_into": contact.merged_into_id,
        "tickets": [ticket_out(t) for t in tickets],
    }


@router.get("/contacts/{contact_id}", response=ContactDetailOut, summary="One contact")
def get_contact(request: HttpRequest, contact_id: PathId) -> Any:
    """The contact, its identities and its most recent tickets the caller may read."""
    return _detail(request, contact_id)


@router.patch("/contacts/{contact_id}", response=ContactDetailOut, summary="Edit a contact")
def update_contact(request: HttpRequest, contact_id: PathId, payload: bodies.ContactPatchIn) -> Any:
    contact_actions.do_update_contact(request.user, contact_id, payload.changes())
    return _detail(request, contact_id)


@router.post("/contacts/{contact_id}/merge", response=ContactDetailOut, summary="Merge contacts")
def merge_contacts(request: HttpRequest, contact_id: PathId, payload: bodies.MergeIn) -> Any:
    """Merge this contact into `target_id` (admin-scope token); returns the target."""
    require_scope(request, TokenScope.ADMIN)
    target = contact_actions.do_merge_contacts(request.user, contact_id, payload.target_id)
    return _detail(request, target.pk)
