"""Contact actions: edit, merge."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from agents.access import can_read_contact, is_admin, visible_tickets
from helpdesk import events
from helpdesk.actions.common import Actor
from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.events import EventType
from helpdesk.models import Contact, ContactIdentity, IdentityKind, Ticket

EDITABLE = ("name", "language", "preferred_channel", "notes", "custom_attributes")


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
    if pc and pc not in IdentityKind.values:
        raise Invalid(f"unknown channel {pc!r}", field="preferred_channel")
    if "custom_attributes" in changes and not isinstance(changes["custom_attributes"], dict):
        raise Invalid("custom_attributes must be an object", field="custom_attributes")
    with transaction.atomic():
        check_contact_readable(actor, contact_id)
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        for key, value in changes.items():
            setattr(contact, key, value)
        contact.save(update_fields=[*changes, "updated_at"])
        for team_id in _team_ids_of(contact):
            events.record(
                EventType.CONTACT_UPDATED,
                ticket=None,
                team_id=team_id,
                actor_id=actor.pk,
                data={"contact_id": contact.pk, "fields": sorted(changes)},
            )
        return contact


def _team_ids_of(contact: Contact) -> list[int | None]:
    return list(
        Ticket.objects.filter(contact=contact).values_list("team_id", flat=True).distinct()
    ) or [None]


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
        # Merging moves tickets of every team: only allowed to who can see them all.
        all_tickets = Ticket.objects.filter(contact=source)
        if (
            not is_admin(actor)
            and all_tickets.count() != visible_tickets(actor).filter(contact=source).count()
        ):
            raise Forbidden("the contact has tickets in teams you cannot see")
        team_ids = _team_ids_of(source)
        ContactIdentity.objects.filter(contact=source).update(contact=target)
        all_tickets.update(contact=target)
        if not target.notes and source.notes:
            target.notes = source.notes
        target.custom_attributes = {**source.custom_attributes, **target.custom_attributes}
        target.save(update_fields=["notes", "custom_attributes", "updated_at"])
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        for team_id in dict.fromkeys([*team_ids, *_team_ids_of(target)]):
            events.record(
                EventType.CONTACT_MERGED,
                ticket=None,
                team_id=team_id,
                actor_id=actor.pk,
                data={"contact_id": source.pk, "merged_into": target.pk},
            )
        return target
