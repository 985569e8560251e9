"""Shared checks and locking for actions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from helpdesk.actions.errors import Conflict, Forbidden, NotFound
from helpdesk.models import Contact, Ticket
from helpdesk.staff.access import can_manage_ticket, can_read_ticket

type Actor = AbstractBaseUser | AnonymousUser


def check_ticket_readable(actor: Actor, ticket_id: int) -> Ticket:
    """The ticket, if the actor may read it; NotFound otherwise (no existence leak)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None or not can_read_ticket(actor, ticket):
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def lock_ticket(
    actor: Actor,
    ticket_id: int,
    expected_version: int | None = None,
    *,
    contact_first: bool = False,
) -> Ticket:
    """Lock the ticket row for this transaction after checking read access and version.

    `contact_first`: lock the ticket's contact before the ticket, for actions that
    move a ticket to another team or open one for the contact (a split). On
    PostgreSQL such a write makes a trigger lock the contact's row (its team array,
    migration 0021); ingest locks a contact before its tickets, so an action that
    locked the ticket first could deadlock with a message arriving for the same
    contact (docs/reliability.md, the lock order).
    """
    found = check_ticket_readable(actor, ticket_id)
    if contact_first:
        _lock_contact(found.contact_id)
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    if contact_first and ticket.contact_id != found.contact_id:
        _lock_contact(ticket.contact_id)  # moved by a contact merge in between: rare
    if expected_version is not None and ticket.version != expected_version:
        raise Conflict(
            f"ticket {ticket_id} changed (version {ticket.version}, you had {expected_version})",
            field="version",
        )
    return ticket


def _lock_contact(contact_id: int) -> None:
    list(Contact.objects.select_for_update(no_key=True).filter(pk=contact_id).values_list("pk"))


def check_manage(actor: Actor, ticket: Ticket) -> None:
    if not can_manage_ticket(actor, ticket):
        raise Forbidden("only a supervisor of this team or an admin may do this")


def save_ticket(ticket: Ticket, fields: list[str]) -> None:
    """Save the changed fields and bump the optimistic-concurrency version."""
    ticket.version += 1
    ticket.save(update_fields=[*dict.fromkeys([*fields, "version", "updated_at"])])
