"""The one path every inbound message takes (see docs/architecture.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from helpdesk import events, identities
from helpdesk.attachment_files import (
    attachment_name,
    discard_unreferenced,
    fits_size,
    save_attachment,
)
from helpdesk.crm.companies import companies_by_domain
from helpdesk.event_schemas import (
    ContactCreated,
    MessageCreated,
    TicketCreated,
    TicketStatusChanged,
)
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
from helpdesk.models.contact import search_form
from helpdesk.sanitize import sanitize_html
from helpdesk.threader import Threads, reopenable

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
    """Store `msg` exactly once and thread it into a ticket (a batch of one)."""
    return receive_many([msg])[0]


def receive_many(msgs: Sequence[InboundMessage]) -> list[IngestResult]:
    """Store each message exactly once and thread it, in order, in one transaction.

    The batch is what bulk sources hand over (mail import, a mailbox's backlog):
    a few queries per batch read what threading needs, and tickets, messages and
    events are inserted together. A reply later in the batch threads onto its
    parent earlier in it. Results come back in the order of `msgs`.

    Safe when several processes receive the same message at once: the unique
    (inbox, external_id) constraint lets one win; the others see the winner's
    message and return it as a duplicate, without raising. Raises InvalidAddress
    before touching the database when a sender's address is unusable.
    """
    addresses = [normalize_address(m.sender.kind, m.sender.address) for m in msgs]
    try:
        return _receive_many(msgs, addresses)
    except BaseException:
        _discard_files(msgs)
        raise


def _discard_files(msgs: Sequence[InboundMessage]) -> None:
    """After a failed batch: delete the attachment files it wrote that no row uses.

    (A process storing the same new content at this very moment could lose its
    file; a narrow window, accepted: see docs/email.md.)
    """
    names = {attachment_name(a) for m in msgs for a in m.attachments if fits_size(a.size)}
    try:
        deleted = discard_unreferenced(names)
    except Exception:  # never hide the batch's own error  # noqa: BLE001
        logger.exception("could not clean up the files of a failed batch")
        return
    if deleted:
        logger.info("deleted %d attachment files of a failed batch", len(deleted))


def _receive_many(msgs: Sequence[InboundMessage], addresses: list[str]) -> list[IngestResult]:
    conflict: IntegrityError | None = None
    for _attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                return _Batch(msgs, addresses).store()
        except IntegrityError as exc:
            # Another receiver committed one of these messages, or created the same
            # new contact identity, while we read: look again.
            logger.info("ingest conflict on a batch of %d, retrying", len(msgs))
            conflict = exc
        except OperationalError as exc:
            # PostgreSQL broke a lock cycle (an ingest rule locking rows after the
            # event sequence lock, say) by aborting us: the transaction is gone
            # whole, so trying again is safe.
            if getattr(exc.__cause__, "sqlstate", None) not in _RETRYABLE_SQLSTATES:
                raise
            logger.warning("ingest of a batch of %d aborted (%s), retrying", len(msgs), exc)
    raise RuntimeError(
        f"could not ingest a batch of {len(msgs)} after {_ATTEMPTS} attempts"
    ) from conflict


def _unmerged(contact: Contact) -> Contact:
    return contact.resolve()


@dataclass(slots=True)
class _Plan:
    """Where one new message goes, decided before anything is written."""

    msg: InboundMessage
    inbox: Inbox
    contact: Contact
    ticket: Ticket
    ticket_created: bool
    reopened: bool
    previous_status: str


class _Batch:
    """One ingest transaction: read, decide in order, write in bulk, then events and rules."""

    def __init__(self, msgs: Sequence[InboundMessage], addresses: list[str]) -> None:
        self.msgs = msgs
        self.addresses = addresses
        self.threads = Threads()
        self.new_contacts: set[int] = set()  # created by this batch: `contact.created`

    def store(self) -> list[IngestResult]:
        results: dict[int, IngestResult] = {}
        first_of: dict[tuple[int, str], int] = {}
        fresh: list[int] = []
        stored = self._stored()
        for i, msg in enumerate(self.msgs):
            key = (msg.inbox_id, msg.external_id)
            if key in stored:
                results[i] = IngestResult(
                    message=stored[key], ticket=stored[key].ticket, created=False
                )
            elif key in first_of:
                continue  # the same message twice in one batch: answered below
            else:
                first_of[key] = i
                fresh.append(i)
        if fresh:
            plans = self._plan(fresh)
            messages = self._write(plans)
            for i, plan, message in zip(fresh, plans, messages, strict=True):
                results[i] = IngestResult(
                    message=message,
                    ticket=plan.ticket,
                    created=True,
                    ticket_created=plan.ticket_created,
                    reopened=plan.reopened,
                )
            for i in fresh:
                for rule in inbound_rules:
                    rule(results[i], self.msgs[i])
        for i, msg in enumerate(self.msgs):
            if i not in results:
                first = results[first_of[(msg.inbox_id, msg.external_id)]]
                results[i] = IngestResult(message=first.message, ticket=first.ticket, created=False)
        return [results[i] for i in range(len(self.msgs))]

    def _stored(self) -> dict[tuple[int, str], Message]:
        inbox_ids = {m.inbox_id for m in self.msgs}
        external_ids = {m.external_id for m in self.msgs}
        found = Message.objects.select_related("ticket").filter(
            inbox_id__in=inbox_ids, external_id__in=external_ids
        )
        return {(m.inbox_id, m.external_id or ""): m for m in found}

    def _plan(self, fresh: list[int]) -> list[_Plan]:
        inboxes = Inbox.objects.select_related("team").in_bulk(
            {self.msgs[i].inbox_id for i in fresh}
        )
        contacts, known = self._contacts(fresh)
        items = [
            (self.msgs[i], inboxes[self.msgs[i].inbox_id], contacts[self._identity(i)])
            for i in fresh
        ]
        self.threads.prefetch(items, known)
        plans = []
        for msg, inbox, contact in items:
            plan = self._thread(msg, inbox, contact)
            self.threads.stored(msg, plan.ticket)
            _touch_ticket(plan.ticket, msg, plan.ticket_created)
            plans.append(plan)
        return plans

    def _identity(self, i: int) -> tuple[str, str]:
        return (self.msgs[i].sender.kind, self.addresses[i])

    def _contacts(self, fresh: list[int]) -> tuple[dict[tuple[str, str], Contact], set[int]]:
        """The contact of every sender (new ones created), and the ids of those that existed.

        Existing contacts are locked: one contact's messages are threaded one
        transaction at a time, or two chat messages arriving together could each
        open a ticket for one conversation. (A contact created here is invisible
        to others until commit.)
        """
        wanted: dict[tuple[str, str], InboundMessage] = {}
        for i in fresh:
            wanted.setdefault(self._identity(i), self.msgs[i])
        by_kind: dict[str, list[str]] = {}
        for kind, address in wanted:
            by_kind.setdefault(kind, []).append(address)
        which = Q()
        for kind, addresses in by_kind.items():
            which |= Q(kind=kind, address__in=addresses)
        owners = {
            (identity.kind, identity.address): _unmerged(identity.contact)
            for identity in ContactIdentity.objects.select_related("contact").filter(which)
        }
        locked = Contact.objects.select_for_update().filter(pk__in={c.pk for c in owners.values()})
        fresh_rows = {c.pk: c for c in locked.order_by("pk")}
        contacts = {key: fresh_rows[c.pk] for key, c in owners.items()}
        new = [key for key in wanted if key not in contacts]
        if new:
            # A new email sender joins the company owning its domain (helpdesk.crm).
            companies = companies_by_domain(a for kind, a in new if kind == identities.EMAIL)
            created = Contact.objects.bulk_create(
                [
                    Contact(
                        name=(name := wanted[key].sender.display_name or key[1]),
                        search_name=search_form(name),
                        language=wanted[key].language,
                        company_id=companies.get(key[1]) if key[0] == identities.EMAIL else None,
                    )
                    for key in new
                ]
            )
            ContactIdentity.objects.bulk_create(
                [
                    ContactIdentity(
                        contact=contact,
                        kind=kind,
                        address=address,
                        display_name=wanted[(kind, address)].sender.display_name,
                    )
                    for (kind, address), contact in zip(new, created, strict=True)
                ]
            )
            contacts.update(zip(new, created, strict=True))
            self.new_contacts = {c.pk for c in created}
        return contacts, set(fresh_rows)

    def _thread(self, msg: InboundMessage, inbox: Inbox, contact: Contact) -> _Plan:
        candidate = self.threads.find_candidate(msg, inbox, contact)
        if candidate is not None:
            if candidate.status in TicketStatus.active():
                return _Plan(msg, inbox, contact, candidate, False, False, candidate.status)
            if reopenable(candidate):
                return _Plan(msg, inbox, contact, candidate, False, True, candidate.status)
        ticket = Ticket(
            subject=(msg.subject or msg.text.strip().split("\n", 1)[0])[:300],
            contact=contact,
            inbox=inbox,
            team=inbox.team,
            status=TicketStatus.NEW,
            follows_up=candidate,
            last_message_at=msg.received_at,
            last_customer_message_at=msg.received_at,
        )
        self.threads.opened(ticket)
        return _Plan(msg, inbox, contact, ticket, True, False, ticket.status)

    def _write(self, plans: list[_Plan]) -> list[Message]:
        Ticket.objects.bulk_create([p.ticket for p in plans if p.ticket_created])
        opened = {id(p.ticket) for p in plans if p.ticket_created}
        touched = {id(p.ticket): p.ticket for p in plans if id(p.ticket) not in opened}
        if touched:
            _save_touched(list(touched.values()))
        messages = []
        for plan in plans:
            msg = plan.msg
            meta = dict(msg.meta) | {"auto_generated": msg.auto_generated}
            refused = _refused_attachments(msg)
            if refused:
                meta["refused_attachments"] = refused
            message = Message(
                ticket=plan.ticket,
                inbox=plan.inbox,
                direction=Direction.INBOUND,
                author_kind=AuthorKind.CONTACT,
                author_contact=plan.contact,
                subject=msg.subject[:300],
                text=msg.text,
                html=sanitize_html(msg.html),
                external_id=msg.external_id,
                channel_meta=meta,
                created_at=msg.received_at,
            )
            messages.append(message)
        Message.objects.bulk_create(messages)
        _store_attachments(plans, messages)
        pairs = zip(plans, messages, strict=True)
        found: list[events.Pending] = []
        for plan, message in pairs:
            if plan.contact.pk in self.new_contacts:
                self.new_contacts.discard(plan.contact.pk)  # announced once, before its ticket
                found.append(_contact_created(plan))
            found += _events(plan, message)
        events.record_many(found)
        return messages


# What a customer message changes on a ticket it joins.
_TOUCHED_FIELDS = [
    "last_customer_message_at",
    "last_message_at",
    "updated_at",
    "version",
    "status",
    "snoozed_until",
    "resolved_at",
]


def _save_touched(tickets: list[Ticket]) -> None:
    """Save what customer messages changed on the tickets they joined.

    One UPDATE statement run for every row (executemany). Django's bulk_update
    builds a CASE WHEN per field and row, which cost more than everything else in
    a batch of 200 mails (measured: 30 % of storing them).
    """
    now = timezone.now()
    connection = connections[router.db_for_write(Ticket)]
    fields = [f for f in Ticket._meta.concrete_fields if f.name in _TOUCHED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.get_attname_column()[1] or f.name)} = %s" for f in fields)
    table = quote(Ticket._meta.db_table)  # names from the model, values as parameters:
    sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    rows = []
    for ticket in tickets:
        ticket.updated_at = now
        values = [f.get_db_prep_save(getattr(ticket, f.attname), connection) for f in fields]
        rows.append([*values, ticket.pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _contact_created(plan: _Plan) -> events.Pending:
    contact = plan.contact
    created = ContactCreated(
        contact_id=contact.pk, name=contact.name, identity_kind=plan.msg.sender.kind
    )
    return events.Pending(created, plan.ticket, None)


def _events(plan: _Plan, message: Message) -> list[events.Pending]:
    ticket, contact, inbox = plan.ticket, plan.contact, plan.inbox
    found: list[events.Pending] = []
    if plan.ticket_created:
        created = TicketCreated(
            ticket_id=ticket.pk,
            subject=ticket.subject,
            contact_id=contact.pk,
            contact_name=contact.name,
            inbox_id=inbox.pk,
            channel=inbox.kind,
            status=TicketStatus.NEW,
            priority=ticket.priority,
            follows_up=ticket.follows_up_id,
        )
        found.append(events.Pending(created, ticket, None))
    elif plan.previous_status != TicketStatus.OPEN and plan.previous_status != TicketStatus.NEW:
        reopened = TicketStatusChanged(
            ticket_id=ticket.pk, status=TicketStatus.OPEN, previous_status=plan.previous_status
        )
        found.append(events.Pending(reopened, ticket, None))
    found.append(events.Pending(message_created(message, inbox.kind), ticket, None))
    return found


def message_created(message: Message, channel: str) -> MessageCreated:
    """The `message.created` event of a stored message (inbound or outbound)."""
    return MessageCreated(
        ticket_id=message.ticket_id,
        message_id=message.pk,
        direction=message.direction,
        author_kind=message.author_kind,
        author_id=message.author_agent_id or message.author_contact_id,
        channel=channel,
        excerpt=message.text[:200],
        delivery_status=message.delivery_status,
        created_at=message.created_at,
    )


def _touch_ticket(ticket: Ticket, msg: InboundMessage, created: bool) -> None:
    """What a customer message changes on its ticket (in memory; `_write` saves it)."""
    if created:
        return  # created with these times already
    ticket.last_customer_message_at = msg.received_at
    ticket.last_message_at = max(ticket.last_message_at or msg.received_at, msg.received_at)
    # The customer wrote again: whatever we were waiting for has arrived.
    if ticket.status not in (TicketStatus.NEW, TicketStatus.OPEN):
        ticket.status = TicketStatus.OPEN
        ticket.snoozed_until = None
        ticket.resolved_at = None
    ticket.version += 1


def _refused_attachments(msg: InboundMessage) -> list[dict[str, object]]:
    limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
    reason = f"larger than the {limit} byte limit"
    return [
        # `code` and `limit` let screens say it in the agent's language.
        {
            "name": item.name,
            "size": item.size,
            "reason": reason,
            "code": "too_large",
            "limit": limit,
        }
        for item in msg.attachments
        if not fits_size(item.size)
    ]


def _store_attachments(plans: list[_Plan], messages: list[Message]) -> None:
    rows = []
    for plan, message in zip(plans, messages, strict=True):
        for item in plan.msg.attachments:
            if not fits_size(item.size):
                continue
            attachment = Attachment(
                message=message,
                file=save_attachment(item),
                name=item.name[:255] or "attachment",
                content_type=item.content_type or "application/octet-stream",
                size=item.size,
                content_id=item.content_id.strip("<>")[:300],
            )
            rows.append(attachment)
    if rows:
        Attachment.objects.bulk_create(rows)
