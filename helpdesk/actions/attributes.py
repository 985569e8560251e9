"""Attribute actions: define typed attributes (admins), set a ticket's attributes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from helpdesk import events
from helpdesk.actions.common import Actor, lock_ticket, save_ticket
from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.crm.attributes import merge_values
from helpdesk.event_schemas import TicketAttributesChanged
from helpdesk.models import AttributeDefinition, AttributeEntity, AttributeType, Ticket
from helpdesk.staff.access import is_admin

FIELDS = ("entity", "key", "label", "type", "choices", "required", "position")


def do_save_attribute_definition(
    actor: Actor, definition_id: int | None, values: dict[str, Any]
) -> AttributeDefinition:
    """Create or change an attribute definition (admins only; configuration, no event).

    The key and entity of an existing definition stay: stored values are keyed by them.
    """
    if not is_admin(actor):
        raise Forbidden("only an admin may define attributes")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise Invalid(f"unknown fields {sorted(unknown)}", field=sorted(unknown)[0])
    try:
        with transaction.atomic():
            if definition_id is None:
                defn = AttributeDefinition()
            else:
                found = AttributeDefinition.objects.select_for_update().filter(pk=definition_id)
                defn = found.first() or _missing(definition_id)
                values = {k: v for k, v in values.items() if k not in ("key", "entity")}
            for name, value in values.items():
                setattr(defn, name, value)
            if defn.type == AttributeType.LIST:
                defn.choices = [str(c).strip() for c in defn.choices or [] if str(c).strip()]
                if not defn.choices:
                    raise Invalid("a list attribute needs choices", field="choices")
            defn.full_clean()
            defn.save()
            return defn
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(f"{field}: {'; '.join(messages)}", field=field) from exc
    except IntegrityError as exc:
        raise Invalid("that key is already defined", field="key") from exc


def _missing(definition_id: int) -> AttributeDefinition:
    raise NotFound(f"attribute {definition_id} not found")


def do_delete_attribute_definition(actor: Actor, definition_id: int) -> None:
    """Delete a definition; values already stored stay as free-form attributes."""
    if not is_admin(actor):
        raise Forbidden("only an admin may define attributes")
    deleted, _ = AttributeDefinition.objects.filter(pk=definition_id).delete()
    if not deleted:
        raise NotFound(f"attribute {definition_id} not found")


def do_set_ticket_attributes(
    actor: Actor, ticket_id: int, changes: dict[str, Any], *, expected_version: int | None = None
) -> Ticket:
    """Set some custom attributes of a ticket (typed ones validated; empty removes)."""
    with transaction.atomic():
        ticket = lock_ticket(actor, ticket_id, expected_version)
        values = merge_values(AttributeEntity.TICKET, ticket.custom_attributes or {}, changes)
        if values == ticket.custom_attributes:
            return ticket
        ticket.custom_attributes = values
        save_ticket(ticket, ["custom_attributes"])
        changed = TicketAttributesChanged(ticket_id=ticket.pk, fields=sorted(changes))
        events.record(changed, ticket=ticket, actor_id=actor.pk)
        return ticket
