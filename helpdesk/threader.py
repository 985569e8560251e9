"""Which ticket an inbound message belongs to: the threading rules, in one place.

`Threads` answers for a batch of messages stored in one transaction: it reads
what the rules need for the whole batch in a few queries, remembers the tickets
and messages the batch itself creates (a reply may follow its parent in the same
batch), and locks every existing ticket it hands out until the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from helpdesk import channels
from helpdesk.inbound import InboundMessage
from helpdesk.models import Contact, Inbox, Message, Ticket, TicketStatus


def _references(msg: InboundMessage) -> list[str]:
    return [r for r in (msg.thread.in_reply_to, *msg.thread.references) if r]


def continues(kind: str) -> bool:
    """Does a new message on this channel continue the contact's open conversation?"""
    try:
        return channels.spec_for(kind).continues_conversation
    except LookupError:
        return True


class Threads:
    """The threading state of one ingest transaction."""

    def __init__(self) -> None:
        self._tickets: dict[int, Ticket] = {}  # locked existing tickets by id
        # (inbox, external id) -> (message id, ticket id) of stored messages
        self._stored_refs: dict[tuple[int, str], tuple[int, int]] = {}
        self._numbered: dict[int, int] = {}  # ticket number -> its contact
        self._latest: dict[tuple[int, int], int] = {}  # (inbox, contact) -> latest ticket id
        self._follow_ups: dict[tuple[int, int], int] = {}  # (ticket, contact) -> latest follow-up
        # What this batch created, newest last: it wins over anything stored before.
        self._batch_refs: dict[tuple[int, str], Ticket] = {}
        self._batch_latest: dict[tuple[int, int], Ticket] = {}
        self._batch_follow_ups: dict[tuple[int, int], Ticket] = {}

    def prefetch(
        self, items: Sequence[tuple[InboundMessage, Inbox, Contact]], known_contacts: set[int]
    ) -> None:
        """Read what the rules will ask about these messages, a query per kind of fact."""
        asks = [(m, i, c) for m, i, c in items if not m.thread.new_conversation]
        refs = {(i.pk, r) for m, i, _ in asks for r in _references(m)}
        if refs:
            rows = Message.objects.filter(
                inbox_id__in={i for i, _ in refs}, external_id__in={r for _, r in refs}
            ).values_list("inbox_id", "external_id", "id", "ticket_id")
            for inbox_id, external_id, pk, ticket_id in rows:
                self._stored_refs[(inbox_id, external_id or "")] = (pk, ticket_id)
        numbers = {m.thread.ticket_number for m, _, _ in asks if m.thread.ticket_number}
        if numbers:
            found = Ticket.objects.filter(pk__in=numbers).values_list("id", "contact_id")
            self._numbered.update(dict(found))
        chats = {(i.pk, c.pk) for _, i, c in asks if continues(i.kind)}
        chats = {(i, c) for i, c in chats if c in known_contacts}
        if chats:
            pairs = Q()
            for inbox_id, contact_id in chats:
                pairs |= Q(inbox_id=inbox_id, contact_id=contact_id)
            latest = (
                Ticket.objects.filter(pairs)
                .values_list("inbox_id", "contact_id")
                .annotate(latest=Max("id"))
            )
            self._latest.update({(i, c): t for i, c, t in latest})
        first = {t for _, t in self._stored_refs.values()} | set(self._numbered)
        first |= set(self._latest.values())
        self._lock(first)

    def _lock(self, ids: Iterable[int]) -> None:
        """Lock and cache these tickets (in id order, so batches cannot deadlock on them),
        and read their follow-ups: every ticket `_follow` walks came through here."""
        wanted = sorted(set(ids) - self._tickets.keys())
        if not wanted:
            return
        for ticket in Ticket.objects.select_for_update().filter(pk__in=wanted).order_by("pk"):
            self._tickets[ticket.pk] = ticket
        rows = (
            Ticket.objects.filter(follows_up_id__in=wanted)
            .values_list("follows_up_id", "contact_id")
            .annotate(latest=Max("id"))
        )
        for follows_up_id, contact_id, latest in rows:
            self._follow_ups[(follows_up_id, contact_id)] = latest

    def _ticket(self, pk: int) -> Ticket | None:
        if pk not in self._tickets:
            self._lock([pk])
        return self._tickets.get(pk)

    def _by_references(self, msg: InboundMessage, inbox: Inbox) -> Ticket | None:
        refs = _references(msg)
        in_batch = [
            self._batch_refs[(inbox.pk, r)] for r in refs if (inbox.pk, r) in self._batch_refs
        ]
        if in_batch:
            return in_batch[-1]
        stored = [
            self._stored_refs[(inbox.pk, r)] for r in refs if (inbox.pk, r) in self._stored_refs
        ]
        if not stored:
            return None
        return self._ticket(max(stored)[1])

    def _by_ticket_number(self, msg: InboundMessage, contact: Contact) -> Ticket | None:
        # A ticket number in a subject is a hint anyone can type: only the ticket's
        # own contact may thread into it, so a stranger quoting "#1234" gets a new ticket.
        number = msg.thread.ticket_number
        if number is None or contact.pk is None or self._numbered.get(number) != contact.pk:
            return None
        return self._ticket(number)

    def _latest_of_contact(self, inbox: Inbox, contact: Contact) -> Ticket | None:
        key = (inbox.pk, contact.pk)
        if key in self._batch_latest:
            return self._batch_latest[key]
        latest = self._latest.get(key)
        return self._ticket(latest) if latest is not None else None

    def _follow(self, ticket: Ticket, contact: Contact) -> Ticket:
        """Where the conversation of `ticket` continues: its merge target, and the
        latest follow-up the same contact opened after it was closed (so a second
        late reply to an old thread joins the first one's follow-up ticket)."""
        seen = {ticket.pk}
        while True:
            if ticket.pk is None:
                return ticket  # opened by this batch: nothing follows it yet
            follow_up = self._batch_follow_ups.get((ticket.pk, contact.pk))
            if ticket.merged_into_id:
                following = self._ticket(ticket.merged_into_id)
            elif follow_up is not None:
                following = follow_up
            else:
                latest = self._follow_ups.get((ticket.pk, contact.pk))
                following = self._ticket(latest) if latest is not None else None
            if following is None or (following.pk is not None and following.pk in seen):
                return ticket
            seen.add(following.pk)
            ticket = following

    def find_candidate(self, msg: InboundMessage, inbox: Inbox, contact: Contact) -> Ticket | None:
        """The ticket the message refers to, before the reopen rule is applied."""
        if msg.thread.new_conversation:
            return None
        ticket = self._by_references(msg, inbox) or self._by_ticket_number(msg, contact)
        # The channel's continuity policy: a new mail without a reference is a new
        # conversation; chat, messengers and phone are one continuous conversation
        # per contact and inbox.
        if ticket is None and continues(inbox.kind):
            ticket = self._latest_of_contact(inbox, contact)
        return self._follow(ticket, contact) if ticket else None

    def opened(self, ticket: Ticket) -> None:
        """This batch opened `ticket` (not saved yet): later messages may continue it."""
        self._batch_latest[(ticket.inbox_id, ticket.contact_id)] = ticket
        if ticket.follows_up_id is not None:
            self._batch_follow_ups[(ticket.follows_up_id, ticket.contact_id)] = ticket

    def stored(self, msg: InboundMessage, ticket: Ticket) -> None:
        """This batch put `msg` on `ticket`: replies to it later in the batch follow."""
        self._batch_refs[(msg.inbox_id, msg.external_id)] = ticket


def reopenable(ticket: Ticket) -> bool:
    """A resolved ticket reopens within the window; closed ones never do."""
    if ticket.status != TicketStatus.RESOLVED:
        return False
    window = timedelta(days=settings.HELPDESK_REOPEN_WINDOW_DAYS)
    resolved_at = ticket.resolved_at or ticket.updated_at
    return timezone.now() - resolved_at <= window
