"""What a signed-in customer may see: their tickets, their merged contacts', and, for a
company manager, the company's. Anything else does not exist for them (404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from channels_in.portal.models import PortalAccess
from helpdesk.models import Attachment, Contact, Direction, Message, Ticket, TicketStatus

# Status in the customer's words.
CUSTOMER_STATUS = {
    TicketStatus.NEW: _("Received"),
    TicketStatus.OPEN: _("We are working on it"),
    TicketStatus.SNOOZED: _("We are working on it"),
    TicketStatus.PENDING: _("Waiting for your answer"),
    TicketStatus.RESOLVED: _("Solved"),
    TicketStatus.CLOSED: _("Closed"),
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in customer: their contact, the contacts merged into it, their company."""

    contact: Contact
    own_ids: frozenset[int]
    company_manager: bool

    def tickets(self) -> QuerySet[Ticket]:
        """Every ticket the customer may read (not the ones merged into another)."""
        rows = Ticket.objects.filter(merged_into=None)
        if self.company_manager and self.contact.company_id is not None:
            return rows.filter(contact__company_id=self.contact.company_id) | rows.filter(
                contact_id__in=self.own_ids
            )
        return rows.filter(contact_id__in=self.own_ids)

    def ticket(self, number: int) -> Ticket:
        ticket = self.tickets().filter(pk=number).select_related("contact").first()
        if ticket is None:
            raise Http404("no such request")
        return ticket

    def owns(self, ticket: Ticket) -> bool:
        """The customer's own ticket (a manager reads the company's but answers their own)."""
        return ticket.contact_id in self.own_ids


def merged_family(contact: Contact) -> frozenset[int]:
    """`contact` and every contact merged into it, however many hops away."""
    found = {contact.pk}
    frontier = [contact.pk]
    while frontier:
        frontier = list(
            Contact.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found.update(frontier)
    return frozenset(found)


def viewer_for(contact_id: int) -> Viewer | None:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        return None
    contact = contact.resolve()
    access = PortalAccess.objects.filter(contact=contact).first()
    if access is not None and access.blocked:
        return None
    manager = access is not None and access.company_manager
    return Viewer(contact, merged_family(contact), manager)


def public_messages(ticket: Ticket) -> QuerySet[Message]:
    """The conversation the customer is part of: never an internal note."""
    return (
        Message.objects.filter(ticket=ticket)
        .exclude(direction=Direction.NOTE)
        .select_related("author_agent")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def attachment_of(ticket: Ticket, attachment_id: int) -> Attachment:
    found = (
        Attachment.objects.filter(pk=attachment_id, message__ticket=ticket)
        .exclude(message__direction=Direction.NOTE)
        .first()
    )
    if found is None:
        raise Http404("no such file")
    return found
