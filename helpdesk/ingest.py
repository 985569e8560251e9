"""The one path every inbound message takes (see docs/architecture.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction

from helpdesk import events
from helpdesk.events import EventType
from helpdesk.identities import normalize_address
from helpdesk.inbound import InboundMessage
from helpdesk.models import (
    Attachment,
    AuthorKind,
    Contact,
    ContactIdentity,
    Direction,
    Inbox,
    Message,
    Ticket,
    TicketStatus,
)
from helpdesk.sanitize import sanitize_html
from helpdesk.threader import find_candidate, reopenable

logger = logging.getLogger(__name__)

_ATTEMPTS = 4
_RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure


@dataclass(frozen=True, slots=True)
class IngestResult:
    message: Message
    ticket: Ticket
    created: bool  # False when the message had already been received
    ticket_created: bool = False
    reopened: bool = False


# Rules run inside the ingest transaction after the message is stored
# (automation registers auto-replies, assignment, tags, SLA clocks here).
InboundRule = Callable[[IngestResult, InboundMessage], None]
inbound_rules: list[InboundRule] = []


def receive(msg: InboundMessage) -> IngestResult:
    """Store `msg` exactly once and thread it into a ticket.

    Safe when several processes receive the same message at once: the unique
    (inbox, external_id) constraint lets one win; the others see the winner's
    message and return it as a duplicate, without raising.
    """
    conflict: IntegrityError | None = None
    for _attempt in range(_ATTEMPTS):
        existing = _existing(msg)
        if existing is not None:
            return IngestResult(message=existing, ticket=existing.ticket, created=False)
        try:
            with transaction.atomic():
                return _store(msg)
        except IntegrityError as exc:
            # Another receiver committed this message, or created the same new
            # contact identity, between our check and our insert: look again.
            logger.info("ingest conflict on %s/%s, retrying", msg.inbox_id, msg.external_id)
            conflict = exc
        except OperationalError as exc:
            # PostgreSQL broke a lock cycle (an ingest rule locking rows after the
            # event sequence lock, say) by aborting us: the transaction is gone
            # whole, so trying again is safe.
            if getattr(exc.__cause__, "sqlstate", None) not in _RETRYABLE_SQLSTATES:
                raise
            logger.warning("ingest of %s/%s aborted (%s), retrying", msg.inbox_id,
                           msg.external_id, exc)  # fmt: skip
    existing = _existing(msg)
    if existing is not None:
        return IngestResult(message=existing, ticket=existing.ticket, created=False)
    raise RuntimeError(
        f"could not ingest {msg.external_id!r} after {_ATTEMPTS} attempts"
    ) from conflict


def _existing(msg: InboundMessage) -> Message | None:
    return (
        Message.objects.select_related("ticket")
        .filter(inbox_id=msg.inbox_id, external_id=msg.external_id)
        .first()
    )


def resolve_contact(kind: str, address: str, display_name: str = "", language: str = "") -> Contact:
    """The contact owning this identity, created if it is new (follows merges)."""
    return _resolve_contact(kind, address, display_name, language)[0]


def _resolve_contact(
    kind: str, address: str, display_name: str, language: str
) -> tuple[Contact, bool]:
    identity = ContactIdentity.objects.select_related("contact").filter(kind=kind, address=address)
    found = identity.first()
    if found is not None:
        contact = found.contact
        while contact.merged_into_id:
            contact = Contact.objects.get(pk=contact.merged_into_id)
        return contact, False
    contact = Contact.objects.create(name=display_name or address, language=language)
    ContactIdentity.objects.create(
        contact=contact, kind=kind, address=address, display_name=display_name
    )
    return contact, True


def _store(msg: InboundMessage) -> IngestResult:
    inbox = Inbox.objects.select_related("team").get(pk=msg.inbox_id)
    address = normalize_address(msg.sender.kind, msg.sender.address)
    contact, new_contact = _resolve_contact(
        msg.sender.kind, address, msg.sender.display_name, msg.language
    )
    if not new_contact:
        # One contact's messages are threaded one at a time: without this lock two
        # chat messages arriving together could each open a ticket for one
        # conversation. (A contact created here is invisible to others until commit.)
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
    ticket, ticket_created, reopened, previous_status = _thread(msg, inbox, contact)

    message = Message.objects.create(
        ticket=ticket,
        inbox=inbox,
        direction=Direction.INBOUND,
        author_kind=AuthorKind.CONTACT,
        author_contact=contact,
        subject=msg.subject[:300],
        text=msg.text,
        html=sanitize_html(msg.html),
        external_id=msg.external_id,
        channel_meta=dict(msg.meta) | {"auto_generated": msg.auto_generated},
        created_at=msg.received_at,
    )
    _store_attachments(message, msg)
    _touch_ticket(ticket, msg, ticket_created)

    if ticket_created:
        events.record(
            EventType.TICKET_CREATED,
            ticket=ticket,
            actor_id=None,
            data={
                "ticket_id": ticket.pk,
                "subject": ticket.subject,
                "contact_id": contact.pk,
                "contact_name": contact.name,
                "inbox_id": inbox.pk,
                "channel": inbox.kind,
                "status": ticket.status,
                "priority": ticket.priority,
                "follows_up": ticket.follows_up_id,
            },
        )
    elif previous_status != ticket.status:
        events.record(
            EventType.TICKET_STATUS_CHANGED,
            ticket=ticket,
            actor_id=None,
            data={
                "ticket_id": ticket.pk,
                "status": ticket.status,
                "previous_status": previous_status,
            },
        )
    events.record(
        EventType.MESSAGE_CREATED,
        ticket=ticket,
        actor_id=None,
        data=message_created_data(message, inbox.kind),
    )
    result = IngestResult(
        message=message,
        ticket=ticket,
        created=True,
        ticket_created=ticket_created,
        reopened=reopened,
    )
    for rule in inbound_rules:
        rule(result, msg)
    return result


def message_created_data(message: Message, channel: str) -> dict[str, object]:
    author_id = message.author_agent_id or message.author_contact_id
    return {
        "ticket_id": message.ticket_id,
        "message_id": message.pk,
        "direction": message.direction,
        "author_kind": message.author_kind,
        "author_id": author_id,
        "channel": channel,
        "excerpt": message.text[:200],
        "delivery_status": message.delivery_status,
        "created_at": message.created_at,
    }


def _thread(msg: InboundMessage, inbox: Inbox, contact: Contact) -> tuple[Ticket, bool, bool, str]:
    """Returns (ticket, created, reopened, status before this message)."""
    candidate = find_candidate(msg, inbox, contact)
    if candidate is not None:
        ticket = Ticket.objects.select_for_update().get(pk=candidate.pk)
        if ticket.status in TicketStatus.active():
            return ticket, False, False, ticket.status
        if reopenable(ticket):
            return ticket, False, True, ticket.status
    ticket = Ticket.objects.create(
        subject=(msg.subject or msg.text.strip().split("\n", 1)[0])[:300],
        contact=contact,
        inbox=inbox,
        team=inbox.team,
        status=TicketStatus.NEW,
        follows_up=candidate,
        last_message_at=msg.received_at,
        last_customer_message_at=msg.received_at,
    )
    return ticket, True, False, ticket.status


def _touch_ticket(ticket: Ticket, msg: InboundMessage, created: bool) -> None:
    if created:
        return  # created with these times already
    fields = ["last_customer_message_at", "last_message_at", "updated_at", "version"]
    ticket.last_customer_message_at = msg.received_at
    ticket.last_message_at = max(ticket.last_message_at or msg.received_at, msg.received_at)
    # The customer wrote again: whatever we were waiting for has arrived.
    if ticket.status not in (TicketStatus.NEW, TicketStatus.OPEN):
        ticket.status = TicketStatus.OPEN
        ticket.snoozed_until = None
        ticket.resolved_at = None
        fields += ["status", "snoozed_until", "resolved_at"]
    ticket.version += 1
    ticket.save(update_fields=fields)


def _store_attachments(message: Message, msg: InboundMessage) -> None:
    limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
    refused: list[dict[str, object]] = []
    for item in msg.attachments:
        size = len(item.data)
        if size > limit:
            refused.append(
                {
                    "name": item.name,
                    "size": size,
                    "reason": f"larger than the {limit} byte limit",
                }
            )
            continue
        attachment = Attachment(
            message=message,
            name=item.name[:255] or "attachment",
            content_type=item.content_type or "application/octet-stream",
            size=size,
            content_id=item.content_id.strip("<>")[:300],
        )
        attachment.file.save(attachment.name, ContentFile(item.data), save=False)
        attachment.save()
    if refused:
        message.channel_meta = {**message.channel_meta, "refused_attachments": refused}
        message.save(update_fields=["channel_meta"])
