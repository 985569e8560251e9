"""Creating and deleting contacts by hand (the API; imports go through actions.imports)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from helpdesk import channels, events
from helpdesk.actions.common import Actor
from helpdesk.actions.companies import check_may_manage_crm
from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.crm.attributes import merge_values
from helpdesk.crm.companies import companies_by_domain
from helpdesk.crm.filters import normalize_tags
from helpdesk.event_schemas import ContactCreated
from helpdesk.identities import EMAIL, InvalidAddress, normalize_address
from helpdesk.models import AttributeEntity, Company, Contact, ContactIdentity, Ticket
from helpdesk.models.contact import search_form
from helpdesk.staff.access import is_admin


def do_create_contact(
    actor: Actor,
    *,
    name: str = "",
    identities: list[tuple[str, str]] | None = None,
    tags: list[str] | None = None,
    custom_attributes: dict[str, Any] | None = None,
    company_id: int | None = None,
    language: str = "",
    notes: str = "",
) -> Contact:
    """A new contact with its identities (supervisors and admins). An address another
    contact already has is refused (409-like Invalid naming it): merge instead.
    A new email contact without a company joins the one owning its domain. Records
    `contact.created` (no ticket, no team yet), as ingest does for a new sender."""
    check_may_manage_crm(actor)
    normalized = _identities(identities or [])
    if not name.strip() and not normalized:
        raise Invalid("a contact needs a name or an identity", field="name")
    if company_id is not None and not Company.objects.filter(pk=company_id).exists():
        raise Invalid(f"no company {company_id}", field="company_id")
    if company_id is None:
        emails = [a for k, a in normalized if k == EMAIL]
        company_id = next(iter(companies_by_domain(emails).values()), None)
    shown = name.strip()[:200] or normalized[0][1]
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                name=shown,
                search_name=search_form(shown),
                tags=normalize_tags(tags or []),
                custom_attributes=merge_values(
                    AttributeEntity.CONTACT, {}, custom_attributes or {}
                ),
                company_id=company_id,
                language=language[:10],
                notes=notes,
            )
            ContactIdentity.objects.bulk_create(
                [ContactIdentity(contact=contact, kind=k, address=a) for k, a in normalized]
            )
            created = ContactCreated(
                contact_id=contact.pk,
                name=contact.name,
                identity_kind=normalized[0][0] if normalized else "",
            )
            events.record(created, ticket=None, actor_id=actor.pk)
            return contact
    except IntegrityError as exc:
        raise Invalid("an address belongs to another contact", field="identities") from exc


def _identities(raw: list[tuple[str, str]]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for kind, address in raw:
        if kind not in channels.identity_specs():
            raise Invalid(f"unknown identity kind {kind!r}", field="identities")
        try:
            item = (kind, normalize_address(kind, address))
        except InvalidAddress as exc:
            raise Invalid(str(exc), field="identities") from exc
        if item not in found:
            found.append(item)
    taken = [i for i in found if ContactIdentity.objects.filter(kind=i[0], address=i[1]).exists()]
    if taken:
        raise Invalid(f"{taken[0][1]} belongs to another contact", field="identities")
    return found


def do_delete_contact(actor: Actor, contact_id: int) -> None:
    """Delete a contact that has no tickets (admins only; one with tickets is merged)."""
    if not is_admin(actor):
        raise Forbidden("only an admin may delete contacts")
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            raise NotFound(f"contact {contact_id} not found")
        if Ticket.objects.filter(contact=contact).exists():
            raise Invalid("the contact has tickets; merge it instead", field="contact_id")
        Contact.objects.filter(merged_into=contact).update(merged_into=None)
        contact.delete()
