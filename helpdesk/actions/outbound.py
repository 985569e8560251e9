"""Outbound conversations: an agent (or an API client) starts a new ticket to a contact.

The first message is an ordinary reply (`do_reply`): queued, delivered by the
channel's sender, its outcome recorded like any reply's. The email sender writes
to the contact's email address; Telegram's to the contact's chat with the inbox's
bot, which exists only once the customer wrote to that bot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk import channels, events
from helpdesk.actions.common import Actor
from helpdesk.actions.contacts import check_contact_readable
from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.actions.messages import OutgoingFile, do_reply
from helpdesk.event_schemas import TicketCreated
from helpdesk.identities import InvalidAddress, normalize_address
from helpdesk.models import Contact, ContactIdentity, Inbox, Ticket, TicketStatus
from helpdesk.staff.access import agent_of, can_read_ticket, is_admin, team_ids

MAX_SUBJECT = 300


@dataclass(frozen=True, slots=True)
class NewContact:
    """A contact named by its addresses: found by any of them, else created with them."""

    name: str = ""
    identities: dict[str, str] = field(default_factory=dict)  # kind -> address


def outbound_kinds() -> list[str]:
    """Installed channels an agent may start a conversation on (HELPDESK_OUTBOUND_CHANNELS)."""
    wanted = getattr(settings, "HELPDESK_OUTBOUND_CHANNELS", ())
    return [s.kind for s in channels.specs() if s.kind in wanted and s.sender and s.identities]


def reachable_on(contact: Contact, kind: str) -> bool:
    """Does the contact have an address this channel writes to?"""
    spec = channels.spec_for(kind)
    kinds = [i.kind for i in spec.identities]
    return contact.identities.filter(kind__in=kinds, unreachable_reason="").exists()


def outbound_inboxes(actor: Actor, contact: Contact | None = None) -> list[Inbox]:
    """The enabled inboxes of the actor's teams a conversation can start from (and, with
    `contact`, reach that contact)."""
    kinds = outbound_kinds()
    inboxes = Inbox.objects.filter(enabled=True, kind__in=kinds).select_related("team")
    if not is_admin(actor):
        inboxes = inboxes.filter(team_id__in=team_ids(actor))
    found = list(inboxes.order_by("kind", "name"))
    if contact is not None:
        reach = {kind: reachable_on(contact, kind) for kind in {i.kind for i in found}}
        found = [i for i in found if reach[i.kind]]
    return found


def pick_inbox(actor: Actor, *, inbox_id: int | None, channel: str | None) -> Inbox:
    """The inbox named, or the actor's first outbound inbox of `channel`."""
    inboxes = outbound_inboxes(actor)
    if inbox_id is not None:
        for inbox in inboxes:
            if inbox.pk == inbox_id:
                return inbox
        raise NotFound(f"inbox {inbox_id} not found (or it cannot start conversations)")
    if channel:
        for inbox in inboxes:
            if inbox.kind == channel:
                return inbox
        raise Invalid(f"you have no inbox of channel {channel!r}", field="channel")
    raise Invalid("name an inbox_id or a channel", field="inbox_id")


def _normalized(new: NewContact) -> dict[str, str]:
    known = channels.identity_specs()
    found: dict[str, str] = {}
    for kind, address in new.identities.items():
        if not address:
            continue
        if kind not in known:
            raise Invalid(f"unknown identity kind {kind!r}", field=f"contact.{kind}")
        try:
            found[kind] = normalize_address(kind, address)
        except InvalidAddress as exc:
            raise Invalid(str(exc), field=f"contact.{kind}") from exc
    if not found:
        raise Invalid("the contact needs an address (email, phone, ...)", field="contact")
    return found


def find_or_create_contact(new: NewContact) -> Contact:
    """The contact owning any of the addresses (followed through merges), else a new one
    with all of them. Two requests creating the same contact at once: one wins, the
    other finds it (the identity's unique index)."""
    addresses = _normalized(new)
    for _attempt in range(3):
        for kind, address in addresses.items():
            identity = ContactIdentity.objects.filter(kind=kind, address=address).first()
            if identity is not None:
                return Contact.objects.get(pk=identity.contact_id).resolve()
        try:
            with transaction.atomic():
                contact = Contact.objects.create(name=new.name.strip()[:200])
                for kind, address in addresses.items():
                    ContactIdentity.objects.create(contact=contact, kind=kind, address=address)
                return contact
        except IntegrityError:
            continue
    raise Invalid("the contact is being changed; try again", field="contact")


def _check_actor(actor: Actor) -> None:
    if agent_of(actor) is None and not is_admin(actor):
        raise Forbidden("only agents start conversations")


def do_start_conversation(
    actor: Actor,
    *,
    text: str,
    subject: str = "",
    html: str = "",
    files: tuple[OutgoingFile, ...] = (),
    inbox_id: int | None = None,
    channel: str | None = None,
    contact_id: int | None = None,
    contact: NewContact | None = None,
) -> Ticket:
    """Open a ticket to a contact on the chosen inbox and queue its first message.

    The ticket belongs to the inbox's team, is assigned to the actor (when they are
    in that team) and waits for the customer (pending) once the message is queued.
    """
    _check_actor(actor)
    if (contact_id is None) == (contact is None):
        raise Invalid("name either contact_id or contact", field="contact_id")
    subject = " ".join(subject.split())[:MAX_SUBJECT]
    if contact is None:  # a contact the actor may not see does not exist for them
        check_contact_readable(actor, contact_id or 0)
    inbox = pick_inbox(actor, inbox_id=inbox_id, channel=channel)
    with transaction.atomic():
        if contact is not None:
            target = find_or_create_contact(contact)
        else:
            target = check_contact_readable(actor, contact_id or 0).resolve()
        # Contact rows before ticket rows (the lock order).
        target = Contact.objects.select_for_update().get(pk=target.pk)
        if not reachable_on(target, inbox.kind):
            raise Invalid(f"the contact has no address on {inbox.kind_label}", field="channel")
        ticket = _open_ticket(actor, inbox, target, subject or text.strip()[:80])
        do_reply(actor, ticket.pk, text, html=html, files=files)
        ticket.refresh_from_db()
        return ticket


def _open_ticket(actor: Actor, inbox: Inbox, contact: Contact, subject: str) -> Ticket:
    now = timezone.now()
    ticket = Ticket(
        subject=subject,
        contact=contact,
        inbox=inbox,
        team_id=inbox.team_id,
        status=TicketStatus.NEW,
        last_message_at=now,
    )
    if can_read_ticket(actor, ticket) and agent_of(actor) is not None:
        ticket.assignee_id = actor.pk
    ticket.save()
    created = TicketCreated(
        ticket_id=ticket.pk,
        subject=ticket.subject,
        contact_id=contact.pk,
        contact_name=contact.name,
        inbox_id=inbox.pk,
        channel=inbox.kind,
        status=ticket.status,
        priority=ticket.priority,
    )
    Ticket.objects.select_for_update().get(pk=ticket.pk)
    events.record(created, ticket=ticket, actor_id=actor.pk)
    return ticket
