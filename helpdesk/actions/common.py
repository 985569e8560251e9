"""Shared checks and locking for actions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from helpdesk.actions.errors import Conflict, Forbidden, NotFound
from helpdesk.models import Ticket
from helpdesk.staff.access import can_manage_ticket, can_read_ticket

type Actor = AbstractBaseUser | AnonymousUser


def check_ticket_readable(actor: Actor, ticket_id: int) -> Ticket:
    """The ticket, if the actor may read it; NotFound otherwise (no existence leak)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None or not can_read_ticket(actor, ticket):
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def lock_ticket(actor: Actor, ticket_id: int, expected_version: int | None = None) -> Ticket:
    """Lock the ticket row for this transaction after checking read access and version."""
    check_ticket_readable(actor, ticket_id)
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    if expected_version is not None and ticket.version != expected_version:
        raise Conflict(
            f"ticket {ticket_id} changed (version {ticket.version}, you had {expected_version})",
            field="version",
        )
    return ticket


def check_manage(actor: Actor, ticket: Ticket) -> None:
    if not can_manage_ticket(actor, ticket):
        raise Forbidden("only a supervisor of this team or an admin may do this")


def save_ticket(ticket: Ticket, fields: list[str]) -> None:
    """Save the changed fields and bump the optimistic-concurrency version."""
    ticket.version += 1
    ticket.save(update_fields=[*dict.fromkeys([*fields, "version", "updated_at"])])
