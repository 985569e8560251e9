"""Contacts: list and search, one contact with its identities and tickets, edit, merge."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import AfterValidator, ConfigDict, Field

from helpdesk import channels
from helpdesk.actions import contact_create as create_actions
from helpdesk.actions import contacts as contact_actions
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.api import bodies
from helpdesk.api.auth import require_scope
from helpdesk.api.pagination import decode_id_cursor, encode_cursor, page_limit
from helpdesk.api.schemas import ContactDetailOut, ContactPage
from helpdesk.api.serialize import TICKET_RELATED, contact_out, ticket_out
from helpdesk.api.types import (
    CursorText,
    Id,
    IdentityKindText,
    JsonObject,
    PageLimit,
    PathId,
    QueryId,
    QueryText,
    Text,
)
from helpdesk.contact_search import top_ids
from helpdesk.crm import segments
from helpdesk.crm.filters import ContactFilter, apply_filter
from helpdesk.crm.survey_filters import NpsGroup
from helpdesk.crm.visibility import readable_contacts
from helpdesk.models import Contact, Segment, TokenScope
from helpdesk.staff.access import is_admin, visible_contacts, visible_tickets

router = Router(tags=["contacts"])

DETAIL_TICKETS = 100


class ContactFilters(Schema):
    q: QueryText | None = Field(None, max_length=200)
    tag: QueryText | None = Field(None, max_length=50)
    channel: IdentityKindText | None = None
    company_id: QueryId | None = None
    segment_id: QueryId | None = None
    has_open_tickets: bool | None = None
    csat_min: int | None = Field(None, ge=1, le=5)
    csat_max: int | None = Field(None, ge=1, le=5)
    nps: NpsGroup | None = None
    surveyed_within_days: int | None = Field(None, ge=0, le=36500)
    cursor: CursorText | None = None
    limit: PageLimit | None = None


def _kinds(schema: dict[str, Any]) -> None:
    schema["enum"] = list(channels.identity_specs())


def _known_kind(value: str) -> str:
    if value not in channels.identity_specs():
        raise ValueError(f"must be an identity kind: {', '.join(channels.identity_specs())}")
    return value


# An identity kind of an installed channel (never empty, unlike the filters' kind).
Kind = Annotated[str, Field(max_length=16, json_schema_extra=_kinds), AfterValidator(_known_kind)]


class IdentityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    address: Annotated[Text, Field(min_length=1, max_length=320)]


class ContactIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(max_length=200)] = ""
    language: Annotated[Text, Field(max_length=10)] = ""
    notes: Annotated[Text, Field(max_length=20_000)] = ""
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)
    tags: list[Annotated[Text, Field(max_length=50)]] = Field(default_factory=list, max_length=30)
    company_id: Id | None = None
    custom_attributes: JsonObject = Field(default_factory=dict)


class AttributesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    custom_attributes: JsonObject


@router.get("/contacts", response=ContactPage, summary="List contacts")
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> Any:
    """Contacts with a ticket the caller may read, newest first, keyset-paginated."""
    limit = page_limit(filters.limit)
    qs = readable_contacts(request.user).filter(merged_into__isnull=True)
    q = (filters.q or "").strip()
    flt = ContactFilter(
        tags=[filters.tag] if filters.tag else [],
        channel=filters.channel or "",
        company_id=filters.company_id,
        has_open_tickets=filters.has_open_tickets,
        csat_min=filters.csat_min,
        csat_max=filters.csat_max,
        nps=filters.nps,
        surveyed_within_days=filters.surveyed_within_days,
    )
    qs = apply_filter(qs, flt)
    if filters.segment_id is not None:
        segment = Segment.objects.filter(pk=filters.segment_id).first()
        if segment is None:
            raise Invalid(f"no segment {filters.segment_id}", field="segment_id")
        qs = segments.members(segment, qs)
    if filters.cursor:
        qs = qs.filter(id__lt=decode_id_cursor(filters.cursor))
    if q:  # each branch of the search walks its own index for the page (contact_search)
        whole = is_admin(request.user)
        qs = Contact.objects.filter(id__in=top_ids(qs, q, ("-id",), limit + 1, whole=whole))
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


@router.post("/contacts", response={201: ContactDetailOut}, summary="Create a contact")
def create_contact(request: HttpRequest, payload: ContactIn) -> Any:
    """A contact with identities (supervisors and admins, admin-scope token); an address
    another contact has is refused (merge instead)."""
    require_scope(request, TokenScope.ADMIN)
    contact = create_actions.do_create_contact(
        request.user,
        name=payload.name,
        identities=[(i.kind, i.address) for i in payload.identities],
        tags=list(payload.tags),
        custom_attributes=payload.custom_attributes,
        company_id=payload.company_id,
        language=payload.language,
        notes=payload.notes,
    )
    return 201, _detail(request, contact.pk)


@router.delete("/contacts/{contact_id}", response={204: None}, summary="Delete a contact")
def delete_contact(request: HttpRequest, contact_id: PathId) -> Any:
    """Admins only, and only a contact without tickets (one with tickets is merged)."""
    require_scope(request, TokenScope.ADMIN)
    contact_actions.check_contact_readable(request.user, contact_id)
    create_actions.do_delete_contact(request.user, contact_id)
    return 204, None


@router.patch(
    "/contacts/{contact_id}/attributes", response=ContactDetailOut, summary="Contact attributes"
)
def set_contact_attributes(request: HttpRequest, contact_id: PathId, payload: AttributesIn) -> Any:
    """Set some custom attributes (typed ones validated; "" or null removes); others stay."""
    contact_actions.do_set_contact_attributes(request.user, contact_id, payload.custom_attributes)
    return _detail(request, contact_id)


@router.post(
    "/contacts/{contact_id}/identities", response=ContactDetailOut, summary="Add an identity"
)
def add_identity(request: HttpRequest, contact_id: PathId, payload: IdentityIn) -> Any:
    """Give the contact one more address; one that another contact has is refused."""
    added = contact_actions.do_add_identity(request.user, contact_id, payload.kind, payload.address)
    if added is None:
        raise Invalid("the address belongs to another contact; merge them", field="address")
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
