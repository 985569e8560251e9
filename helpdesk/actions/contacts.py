"""Contact actions: edit, merge."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from helpdesk import channels, events
from helpdesk.actions.common import Actor
from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.crm.attributes import merge_values
from helpdesk.crm.filters import normalize_tags
from helpdesk.event_schemas import ContactMerged, ContactUpdated, EventSchema
from helpdesk.identities import InvalidAddress, normalize_address
from helpdesk.models import AttributeEntity, Company, Contact, ContactIdentity, Role, Ticket
from helpdesk.staff.access import (
    agent_of,
    can_read_contact,
    is_admin,
    visible_contacts,
    visible_tickets,
)

EDITABLE = (
    "name",
    "language",
    "preferred_channel",
    "notes",
    "custom_attributes",
    "tags",
    "company",
)
# At most this many contacts per bulk action (one request of the contacts page).
BULK_MAX = 5000


def check_contact_readable(actor: Actor, contact_id: int) -> Contact:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None or not can_read_contact(actor, contact):
        raise NotFound(f"contact {contact_id} not found")
    return contact


def do_update_contact(actor: Actor, contact_id: int, changes: dict[str, Any]) -> Contact:
    """Change the editable fields of a contact the actor can see."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(f"cannot change {sorted(unknown)}", field=sorted(unknown)[0])
    pc = changes.get("preferred_channel")
    if pc and pc not in channels.identity_specs():
        raise Invalid(f"unknown channel {pc!r}", field="preferred_channel")
    if "custom_attributes" in changes and not isinstance(changes["custom_attributes"], dict):
        raise Invalid("custom_attributes must be an object", field="custom_attributes")
    changes = _cleaned(changes)
    with transaction.atomic():
        check_contact_readable(actor, contact_id)
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        for key, value in changes.items():
            setattr(contact, key, value)
        contact.save(update_fields=[*changes, "updated_at"])
        updated = ContactUpdated(contact_id=contact.pk, fields=sorted(changes))
        _record_per_team(updated, _team_ids_of(contact), actor_id=actor.pk)
        return contact


def _cleaned(changes: dict[str, Any]) -> dict[str, Any]:
    """Typed attributes validated (the whole set is replaced), tags normalized, the
    company checked to exist."""
    changes = dict(changes)
    if "custom_attributes" in changes:
        changes["custom_attributes"] = merge_values(
            AttributeEntity.CONTACT, {}, changes["custom_attributes"]
        )
    if "tags" in changes:
        if not isinstance(changes["tags"], list):
            raise Invalid("tags must be a list", field="tags")
        changes["tags"] = normalize_tags([str(t) for t in changes["tags"]])
    if "company" in changes:
        company = changes.pop("company")
        company_id = company.pk if isinstance(company, Company) else company
        if company_id is not None and not Company.objects.filter(pk=company_id).exists():
            raise Invalid(f"no company {company_id}", field="company")
        changes["company_id"] = company_id
    return changes


def do_set_contact_attributes(
    actor: Actor | None, contact_id: int, changes: dict[str, Any]
) -> Contact:
    """Set some custom attributes of a contact (typed ones validated; an empty value
    removes the key); the others stay as they are. Inline editing calls this, and a
    channel adapter acting for the customer (`actor` None: the chat's pre-chat form)."""
    with transaction.atomic():
        if actor is not None:
            check_contact_readable(actor, contact_id)
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        values = merge_values(AttributeEntity.CONTACT, contact.custom_attributes or {}, changes)
        if values == contact.custom_attributes:
            return contact
        contact.custom_attributes = values
        contact.save(update_fields=["custom_attributes", "updated_at"])
        updated = ContactUpdated(contact_id=contact.pk, fields=["custom_attributes"])
        actor_id = actor.pk if actor is not None else None
        _record_per_team(updated, _team_ids_of(contact), actor_id=actor_id)
        return contact


def do_tag_contacts(
    actor: Actor, contact_ids: list[int], add: list[str], remove: list[str] | None = None
) -> int:
    """Add and remove tags on many contacts the actor can see (the contacts page's bulk
    action); returns how many contacts changed. One event per changed contact."""
    plus, minus = set(normalize_tags(add)), set(normalize_tags(remove or []))
    if not plus and not minus:
        raise Invalid("no tag given", field="tags")
    if len(contact_ids) > BULK_MAX:
        raise Invalid(f"at most {BULK_MAX} contacts at once", field="contact_ids")
    with transaction.atomic():
        readable = visible_contacts(actor).filter(pk__in=contact_ids).values("pk")
        rows = list(Contact.objects.select_for_update().filter(pk__in=readable).order_by("pk"))
        changed = []
        for contact in rows:
            tags = sorted((set(contact.tags or []) | plus) - minus)
            if tags != contact.tags:
                contact.tags = tags
                changed.append(contact)
        Contact.objects.bulk_update(changed, ["tags"])
        teams = _teams_of_many([c.pk for c in changed])
        events.record_many(
            [
                events.Pending(
                    ContactUpdated(contact_id=c.pk, fields=["tags"]), None, actor.pk, team_id
                )
                for c in changed
                for team_id in teams.get(c.pk, [None])
            ]
        )
        return len(changed)


def _teams_of_many(contact_ids: list[int]) -> dict[int, list[int | None]]:
    teams: dict[int, list[int | None]] = {}
    pairs = Ticket.objects.filter(contact_id__in=contact_ids).values_list("contact_id", "team_id")
    for contact_id, team_id in pairs.distinct():
        teams.setdefault(contact_id, []).append(team_id)
    return teams


def _record_per_team(
    event: EventSchema, team_ids: Iterable[int | None], *, actor_id: int | None
) -> None:
    """A contact event goes to the lists of every team that has the contact's tickets."""
    events.record_many([events.Pending(event, None, actor_id, team_id) for team_id in team_ids])


def _team_ids_of(contact: Contact) -> list[int | None]:
    return list(
        Ticket.objects.filter(contact=contact).values_list("team_id", flat=True).distinct()
    ) or [None]


def _check_may_merge(actor: Actor, source: Contact, target: Contact) -> None:
    """Merging is management (supervisors and admins), and it changes both contacts
    in every team that has their tickets: a supervisor must be able to see them all."""
    if is_admin(actor):
        return
    agent = agent_of(actor)
    if agent is None or agent.role != Role.SUPERVISOR:
        raise Forbidden("only a supervisor or an admin may merge contacts")
    for contact in (source, target):
        everywhere = Ticket.objects.filter(contact=contact).count()
        if everywhere != visible_tickets(actor).filter(contact=contact).count():
            raise Forbidden("the contact has tickets in teams you cannot see")


def do_merge_contacts(actor: Actor, source_id: int, target_id: int) -> Contact:
    """Move identities and tickets of `source` to `target`; `source` remains as a pointer."""
    if source_id == target_id:
        raise Invalid("a contact cannot be merged into itself", field="target_id")
    with transaction.atomic():
        check_contact_readable(actor, source_id)
        check_contact_readable(actor, target_id)
        first, second = sorted([source_id, target_id])
        locked = {
            c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[first, second])
        }
        source, target = locked[source_id], locked[target_id]
        if source.merged_into_id or target.merged_into_id:
            raise Invalid("one of the contacts is already merged")
        _check_may_merge(actor, source, target)
        all_tickets = Ticket.objects.filter(contact=source)
        team_ids = _team_ids_of(source)
        ContactIdentity.objects.filter(contact=source).update(contact=target)
        all_tickets.update(contact=target)
        if not target.notes and source.notes:
            target.notes = source.notes
        # Attributes are a JSON object; one written by hand as anything else (the
        # admin's raw JSON) is kept on the target, never merged into.
        if isinstance(source.custom_attributes, dict) and isinstance(
            target.custom_attributes, dict
        ):
            target.custom_attributes = {**source.custom_attributes, **target.custom_attributes}
        target.save(update_fields=["notes", "custom_attributes", "updated_at"])
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        merged = ContactMerged(contact_id=source.pk, merged_into=target.pk)
        _record_per_team(
            merged, dict.fromkeys([*team_ids, *_team_ids_of(target)]), actor_id=actor.pk
        )
        return target


def do_add_identity(
    actor: Actor | None, contact_id: int, kind: str, address: str, *, display_name: str = ""
) -> ContactIdentity | None:
    """Give a contact one more identity (e.g. the email a chat visitor typed in a form).

    `actor` None means a channel adapter acting for the customer. Returns the identity,
    or None when the address already belongs to another contact: such an address is
    unverified, so it is never moved; agents may merge the two contacts instead.
    """
    if kind not in channels.identity_specs():
        raise Invalid(f"unknown identity kind {kind!r}", field="kind")
    try:
        normalized = normalize_address(kind, address)
    except InvalidAddress as exc:
        raise Invalid(str(exc), field="address") from exc
    with transaction.atomic():
        if actor is not None:
            check_contact_readable(actor, contact_id)
        contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            raise NotFound(f"contact {contact_id} not found")
        existing = ContactIdentity.objects.filter(kind=kind, address=normalized).first()
        if existing is None:
            try:
                with transaction.atomic():
                    existing = ContactIdentity.objects.create(
                        contact=contact,
                        kind=kind,
                        address=normalized,
                        display_name=display_name[:200],
                    )
            except IntegrityError:  # added concurrently: see who won
                existing = ContactIdentity.objects.get(kind=kind, address=normalized)
            else:
                contact.save(update_fields=["updated_at"])
                updated = ContactUpdated(contact_id=contact.pk, fields=["identities"])
                actor_id = actor.pk if actor is not None else None
                _record_per_team(updated, _team_ids_of(contact), actor_id=actor_id)
        return existing if existing.contact_id == contact.pk else None


def do_claim_identity(
    contact_id: int, kind: str, address: str, *, display_name: str = ""
) -> ContactIdentity:
    """Attach an identity to a contact, moving it from another contact if needed.

    Only for proof of ownership, never for typed-in addresses: a channel adapter
    calls this when the customer followed a signed link made for `contact_id`
    (a Telegram /start deep link sent by email). No actor: the customer did it.
    """
    try:
        normalized = normalize_address(kind, address)
    except InvalidAddress as exc:
        raise Invalid(str(exc), field="address") from exc
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            raise NotFound(f"contact {contact_id} not found")
        contact = contact.resolve(for_update=True)
        identity = (
            ContactIdentity.objects.select_for_update()
            .filter(kind=kind, address=normalized)
            .first()
        )
        if identity is not None and identity.contact_id == contact.pk:
            return identity
        previous = identity.contact_id if identity is not None else None
        if identity is None:
            identity = ContactIdentity.objects.create(
                contact=contact, kind=kind, address=normalized, display_name=display_name[:200]
            )
        else:
            identity.contact = contact
            identity.save(update_fields=["contact"])
        changed = [contact] + ([Contact.objects.get(pk=previous)] if previous else [])
        updated = ContactUpdated(contact_id=contact.pk, fields=["identities"])
        team_ids = dict.fromkeys(t for c in changed for t in _team_ids_of(c))
        _record_per_team(updated, team_ids, actor_id=None)
        return identity


def do_set_identity_unreachable(kind: str, address: str, reason: str) -> ContactIdentity | None:
    """Mark an identity unreachable (e.g. the customer blocked our Telegram bot), or
    reachable again with reason "". Returns None when no contact has that address."""
    with transaction.atomic():
        identity = (
            ContactIdentity.objects.select_for_update().filter(kind=kind, address=address).first()
        )
        if identity is None or identity.unreachable_reason == reason[:300]:
            return identity
        identity.unreachable_reason = reason[:300]
        identity.save(update_fields=["unreachable_reason"])
        updated = ContactUpdated(contact_id=identity.contact_id, fields=["identities"])
        _record_per_team(updated, _team_ids_of(identity.contact), actor_id=None)
        return identity
