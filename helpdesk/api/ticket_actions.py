"""Write endpoints on tickets and messages: each one calls one action."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from helpdesk.actions import messages as message_actions
from helpdesk.actions import tickets as ticket_actions
from helpdesk.actions.errors import Invalid
from helpdesk.api import bodies
from helpdesk.api.auth import require_scope
from helpdesk.api.schemas import MessageOut, TicketOut
from helpdesk.api.serialize import TICKET_RELATED, message_out, messages_of, ticket_out
from helpdesk.api.types import PathId
from helpdesk.models import Message, Ticket, TokenScope

router = Router(tags=["ticket actions"])


def _ticket(ticket_id: int) -> dict[str, Any]:
    return ticket_out(Ticket.objects.select_related(*TICKET_RELATED).get(pk=ticket_id))


def _message(message: Message) -> dict[str, Any]:
    return message_out(messages_of(message.ticket).get(pk=message.pk))


def _files(items: list[bodies.AttachmentIn]) -> tuple[message_actions.OutgoingFile, ...]:
    return tuple(
        message_actions.OutgoingFile(name=a.name, content_type=a.content_type, data=a.data)
        for a in items
    )


@router.post("/tickets/{ticket_id}/reply", response={201: MessageOut})
def reply(request: HttpRequest, ticket_id: PathId, payload: bodies.ReplyIn) -> Any:
    """Queue a reply to the customer on the ticket's channel."""
    message = message_actions.do_reply(
        request.user,
        ticket_id,
        payload.text,
        html=payload.html,
        files=_files(payload.attachments),
        resolve=payload.resolve,
        expected_version=payload.expected_version,
    )
    return Status(201, _message(message))


@router.post("/tickets/{ticket_id}/notes", response={201: MessageOut})
def add_note(request: HttpRequest, ticket_id: PathId, payload: bodies.NoteIn) -> Any:
    """Add an internal note (never sent to the customer)."""
    message = message_actions.do_add_note(
        request.user, ticket_id, payload.text, files=_files(payload.attachments)
    )
    return Status(201, _message(message))


@router.post("/tickets/{ticket_id}/assign", response=TicketOut)
def assign(request: HttpRequest, ticket_id: PathId, payload: bodies.AssignIn) -> Any:
    """Assign to an agent (others: supervisors only) or unassign with null."""
    ticket_actions.do_assign(
        request.user, ticket_id, payload.assignee_id, expected_version=payload.expected_version
    )
    return _ticket(ticket_id)


@router.post("/tickets/{ticket_id}/claim", response=TicketOut)
def claim(request: HttpRequest, ticket_id: PathId, payload: bodies.VersionIn | None = None) -> Any:
    """Assign the ticket to the caller."""
    version = payload.expected_version if payload else None
    ticket_actions.do_assign(request.user, ticket_id, request.user.pk, expected_version=version)
    return _ticket(ticket_id)


@router.post("/tickets/{ticket_id}/unassign", response=TicketOut)
def unassign(
    request: HttpRequest, ticket_id: PathId, payload: bodies.VersionIn | None = None
) -> Any:
    """Remove the assignee (someone else's: supervisors only)."""
    version = payload.expected_version if payload else None
    ticket_actions.do_assign(request.user, ticket_id, None, expected_version=version)
    return _ticket(ticket_id)


@router.post("/tickets/{ticket_id}/status", response=TicketOut)
def set_status(request: HttpRequest, ticket_id: PathId, payload: bodies.StatusIn) -> Any:
    ticket_actions.do_set_status(
        request.user,
        ticket_id,
        payload.status,
        snoozed_until=payload.snoozed_until,
        expected_version=payload.expected_version,
    )
    return _ticket(ticket_id)


@router.post("/tickets/{ticket_id}/priority", response=TicketOut)
def set_priority(request: HttpRequest, ticket_id: PathId, payload: bodies.PriorityIn) -> Any:
    ticket_actions.do_set_priority(
        request.user, ticket_id, payload.priority, expected_version=payload.expected_version
    )
    return _ticket(ticket_id)


@router.post("/tickets/{ticket_id}/tags", response=TicketOut)
def set_tags(request: HttpRequest, ticket_id: PathId, payload: bodies.TagsIn) -> Any:
    """Replace the tags (trimmed, lower-cased, unique, sorted)."""
    ticket_actions.do_set_tags(
        request.user, ticket_id, payload.tags, expected_version=payload.expected_version
    )
    return _ticket(ticket_id)


@router.post("/tickets/{ticket_id}/snooze", response=TicketOut)
def snooze(request: HttpRequest, ticket_id: PathId, payload: bodies.SnoozeIn) -> Any:
    if payload.until <= timezone.now():
        raise Invalid("until must be in the future", field="until")
    ticket_actions.do_snooze(request.user, ticket_id, payload.until)
    return _ticket(ticket_id)


@router.post("/tickets/{ticket_id}/merge", response=TicketOut)
def merge(request: HttpRequest, ticket_id: PathId, payload: bodies.MergeIn) -> Any:
    """Merge this ticket into `target_id` (supervisors, admin-scope token); returns the target."""
    require_scope(request, TokenScope.ADMIN)
    target = ticket_actions.do_merge_tickets(request.user, ticket_id, payload.target_id)
    return _ticket(target.pk)


@router.post("/messages/{message_id}/retry", response=MessageOut)
def retry(request: HttpRequest, message_id: PathId, payload: bodies.EmptyIn | None = None) -> Any:
    """Queue a failed outbound message for delivery again."""
    message = message_actions.do_retry_delivery(request.user, message_id)
    return _message(message)
