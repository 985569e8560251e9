"""Reading tickets: the filtered list, one ticket with its messages, attachments."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router

from helpdesk.actions.errors import NotFound
from helpdesk.api import ticket_query
from helpdesk.api.pagination import page_limit
from helpdesk.api.schemas import TicketDetailOut, TicketPage
from helpdesk.api.serialize import (
    TICKET_RELATED,
    prebuilt,
    ticket_detail_out,
    ticket_rows,
)
from helpdesk.api.types import PathId
from helpdesk.attachment_files import file_response
from helpdesk.models import Attachment
from helpdesk.staff.access import can_read_ticket, visible_tickets

router = Router(tags=["tickets"])


@router.get("/tickets", response=TicketPage, summary="List tickets")
def list_tickets(request: HttpRequest, filters: Query[ticket_query.TicketFilters]) -> Any:
    """Tickets the caller may read, newest activity first, one keyset page at a time."""
    limit = page_limit(filters.limit)
    qs = ticket_query.apply_filters(visible_tickets(request.user), filters, request.user.pk or 0)
    keys, next_cursor = ticket_query.page(qs.values("id", "last_message_at"), filters.cursor, limit)
    items = ticket_rows([key["id"] for key in keys])
    return prebuilt({"items": items, "next_cursor": next_cursor})


@router.get("/tickets/{ticket_id}", response=TicketDetailOut, summary="One ticket with messages")
def get_ticket(request: HttpRequest, ticket_id: PathId) -> Any:
    ticket = (
        visible_tickets(request.user)
        .select_related(*TICKET_RELATED, "sla")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket_detail_out(ticket)


@router.get(
    "/attachments/{attachment_id}",
    url_name="attachment_file",
    summary="Download an attachment",
    response={200: None},
)
def get_attachment(request: HttpRequest, attachment_id: PathId) -> Any:
    attachment = (
        Attachment.objects.select_related("message__ticket").filter(pk=attachment_id).first()
    )
    if attachment is None or not can_read_ticket(request.user, attachment.message.ticket):
        raise NotFound(f"attachment {attachment_id} not found")
    try:
        return file_response(attachment, download=True)
    except Http404 as exc:
        raise NotFound(f"attachment {attachment_id} is missing from storage") from exc
