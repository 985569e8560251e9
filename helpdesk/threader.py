"""Which ticket an inbound message belongs to: the threading rules, in one place."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from helpdesk.inbound import InboundMessage
from helpdesk.models import ChannelKind, Contact, Inbox, Message, Ticket, TicketStatus


def _follow(ticket: Ticket, contact: Contact) -> Ticket:
    """Where the conversation of `ticket` continues: its merge target, and the
    latest follow-up the same contact opened after it was closed (so a second
    late reply to an old thread joins the first one's follow-up ticket)."""
    seen = {ticket.pk}
    while True:
        if ticket.merged_into_id:
            next_id: int | None = ticket.merged_into_id
        else:
            next_id = (
                Ticket.objects.filter(follows_up=ticket, contact=contact)
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
        if next_id is None or next_id in seen:
            return ticket
        seen.add(next_id)
        ticket = Ticket.objects.get(pk=next_id)


def _by_references(msg: InboundMessage, inbox: Inbox) -> Ticket | None:
    refs = [r for r in (msg.thread.in_reply_to, *msg.thread.references) if r]
    if not refs:
        return None
    found = (
        Message.objects.filter(inbox=inbox, external_id__in=refs)
        .select_related("ticket")
        .order_by("-id")
        .first()
    )
    return found.ticket if found else None


def _by_ticket_number(msg: InboundMessage, contact: Contact) -> Ticket | None:
    # A ticket number in a subject is a hint anyone can type: only the ticket's
    # own contact may thread into it, so a stranger quoting "#1234" gets a new ticket.
    number = msg.thread.ticket_number
    if number is None:
        return None
    return Ticket.objects.filter(pk=number, contact=contact).first()


def _latest_of_contact(inbox: Inbox, contact: Contact) -> Ticket | None:
    return Ticket.objects.filter(inbox=inbox, contact=contact).order_by("-id").first()


def find_candidate(msg: InboundMessage, inbox: Inbox, contact: Contact) -> Ticket | None:
    """The ticket the message refers to, before the reopen rule is applied."""
    if msg.thread.new_conversation:
        return None
    ticket = _by_references(msg, inbox) or _by_ticket_number(msg, contact)
    # Email: a new mail without a reference is a new conversation. Chat, Telegram
    # and phone are one continuous conversation per contact and inbox.
    if ticket is None and inbox.kind != ChannelKind.EMAIL:
        ticket = _latest_of_contact(inbox, contact)
    return _follow(ticket, contact) if ticket else None


def reopenable(ticket: Ticket) -> bool:
    """A resolved ticket reopens within the window; closed ones never do."""
    if ticket.status != TicketStatus.RESOLVED:
        return False
    window = timedelta(days=settings.HELPDESK_REOPEN_WINDOW_DAYS)
    resolved_at = ticket.resolved_at or ticket.updated_at
    return timezone.now() - resolved_at <= window
