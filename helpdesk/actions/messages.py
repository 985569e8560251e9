"""Message actions: replies (outbound, delivered by a task), notes, delivery outcomes."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.actions.common import Actor, lock_ticket, save_ticket
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.attachment_files import save_content
from helpdesk.event_schemas import MessageDelivery, MessageUpdated, TicketStatusChanged
from helpdesk.ingest import message_created
from helpdesk.models import (
    Attachment,
    AuthorKind,
    DeliveryStatus,
    Direction,
    Message,
    Ticket,
    TicketStatus,
)
from helpdesk.sanitize import sanitize_html

logger = logging.getLogger(__name__)

MAX_TEXT = 100_000


@dataclass(frozen=True, slots=True)
class OutgoingFile:
    name: str
    content_type: str
    data: bytes


def _check_body(text: str, files: tuple[OutgoingFile, ...]) -> None:
    if not text.strip() and not files:
        raise Invalid("the message is empty", field="text")
    if len(text) > MAX_TEXT:
        raise Invalid(f"the message is longer than {MAX_TEXT} characters", field="text")
    limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
    for f in files:
        if len(f.data) > limit:
            raise Invalid(
                f"attachment {f.name!r} is {len(f.data)} bytes; the limit is {limit}",
                field="attachments",
            )


def _append(
    actor: Actor,
    ticket: Ticket,
    direction: Direction,
    text: str,
    html: str,
    files: tuple[OutgoingFile, ...],
) -> Message:
    now = timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        inbox_id=ticket.inbox_id,
        direction=direction,
        author_kind=AuthorKind.AGENT if actor.pk else AuthorKind.SYSTEM,
        author_agent_id=actor.pk,
        text=text,
        html=sanitize_html(html),
        delivery_status=DeliveryStatus.QUEUED if direction == Direction.OUTBOUND else "",
        created_at=now,
    )
    for f in files:
        Attachment.objects.create(
            message=message,
            name=f.name[:255],
            content_type=f.content_type,
            size=len(f.data),
            file=save_content(f.data),
        )
    events.record(message_created(message, ticket.inbox.kind), ticket=ticket, actor_id=actor.pk)
    return message


def do_reply(
    actor: Actor,
    ticket_id: int,
    text: str,
    *,
    html: str = "",
    files: tuple[OutgoingFile, ...] = (),
    resolve: bool = False,
    expected_version: int | None = None,
) -> Message:
    """Queue a reply to the customer on the ticket's channel; a task delivers it."""
    _check_body(text, files)
    with transaction.atomic():
        ticket = lock_ticket(actor, ticket_id, expected_version)
        if ticket.merged_into_id:
            raise Invalid(f"ticket {ticket_id} was merged into {ticket.merged_into_id}")
        message = _append(actor, ticket, Direction.OUTBOUND, text, html, files)
        now = message.created_at
        fields = ["last_agent_message_at", "last_message_at"]
        ticket.last_agent_message_at = now
        ticket.last_message_at = now
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            fields.append("first_response_at")
        previous = ticket.status
        ticket.status = TicketStatus.RESOLVED if resolve else TicketStatus.PENDING
        ticket.resolved_at = now if resolve else None
        ticket.snoozed_until = None
        fields += ["status", "resolved_at", "snoozed_until"]
        save_ticket(ticket, fields)
        if previous != ticket.status:
            changed = TicketStatusChanged(
                ticket_id=ticket.pk, status=ticket.status, previous_status=previous
            )
            events.record(changed, ticket=ticket, actor_id=actor.pk)
        _enqueue_delivery(message.pk)
        return message


def do_add_note(
    actor: Actor, ticket_id: int, text: str, *, files: tuple[OutgoingFile, ...] = ()
) -> Message:
    """Add an internal note (agents only, never sent to the customer)."""
    _check_body(text, files)
    with transaction.atomic():
        ticket = lock_ticket(actor, ticket_id)
        message = _append(actor, ticket, Direction.NOTE, text, "", files)
        save_ticket(ticket, [])
        return message


def do_retry_delivery(actor: Actor, message_id: int) -> Message:
    """Queue a failed outbound message for delivery again."""
    with transaction.atomic():
        message = Message.objects.filter(pk=message_id).first()
        if message is None:
            raise NotFound(f"message {message_id} not found")
        lock_ticket(actor, message.ticket_id)
        message = Message.objects.select_for_update().get(pk=message_id)
        if (
            message.direction != Direction.OUTBOUND
            or message.delivery_status != DeliveryStatus.FAILED
        ):
            raise Invalid("only a failed outbound message can be retried", field="message_id")
        message.delivery_status = DeliveryStatus.QUEUED
        message.delivery_attempts = 0
        message.save(update_fields=["delivery_status", "delivery_attempts"])
        _record_delivery(message, actor_id=actor.pk)
        _enqueue_delivery(message.pk)
        return message


def _enqueue_delivery(message_id: int) -> None:
    from helpdesk.tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.enqueue(message_id))


def _record_delivery(message: Message, *, actor_id: int | None) -> None:
    ticket = Ticket.objects.get(pk=message.ticket_id)
    delivery = MessageDelivery(
        ticket_id=message.ticket_id,
        message_id=message.pk,
        delivery_status=message.delivery_status,
        error=message.delivery_error,
        attempts=message.delivery_attempts,
    )
    events.record(delivery, ticket=ticket, actor_id=actor_id)


def _external_id_taken(message: Message, external_id: str) -> bool:
    # The id is unique per inbox; a sender that reuses one (a channel whose ids are
    # only unique per chat) must not turn a delivered message into a failed task.
    taken = (
        Message.objects.filter(inbox_id=message.inbox_id, external_id=external_id)
        .exclude(pk=message.pk)
        .exists()
    )
    if taken:
        logger.warning("message %s: external id %r already used", message.pk, external_id)
    return taken


def do_record_delivery(
    message_id: int,
    *,
    status: DeliveryStatus,
    error: str = "",
    external_id: str | None = None,
) -> Message:
    """Record a delivery attempt's outcome (called by the delivery task)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        message.delivery_attempts += 1
        message.delivery_status = status
        message.delivery_error = error[:2000]
        fields = ["delivery_attempts", "delivery_status", "delivery_error"]
        if status == DeliveryStatus.SENT:
            message.sent_at = timezone.now()
            fields.append("sent_at")
            if external_id and not _external_id_taken(message, external_id):
                message.external_id = external_id
                fields.append("external_id")
        message.save(update_fields=fields)
        _record_delivery(message, actor_id=None)
        return message


def do_update_inbound_message(
    message_id: int,
    *,
    text: str | None = None,
    html: str | None = None,
    files: tuple[OutgoingFile, ...] = (),
    meta: dict[str, object] | None = None,
    edited: bool = False,
) -> Message:
    """Change a stored customer message (called by channel adapters, no actor).

    The customer edited it on their channel (`edited`: kept and shown as edited),
    or its media arrived after it was stored (`files`). `meta` is merged into
    channel_meta. Records `message.updated` when something visible changed.
    """
    limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
    if any(len(f.data) > limit for f in files):
        raise Invalid(f"an attachment is larger than the {limit} byte limit", field="files")
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            raise NotFound(f"message {message_id} not found")
        if message.direction != Direction.INBOUND:
            raise Invalid("only a customer's message can be updated this way")
        fields: list[str] = []
        if text is not None and text != message.text:
            message.text, fields = text, [*fields, "text"]
        clean = sanitize_html(html) if html is not None else message.html
        if clean != message.html:
            message.html, fields = clean, [*fields, "html"]
        visible = bool(fields or files)
        new_meta = {**message.channel_meta, **(meta or {})}
        if edited and visible:
            new_meta |= {"edited": True, "edited_at": timezone.now().isoformat()}
        if new_meta != message.channel_meta:
            message.channel_meta, fields = new_meta, [*fields, "channel_meta"]
        for f in files:
            Attachment.objects.create(
                message=message,
                name=f.name[:255] or "attachment",
                content_type=f.content_type,
                size=len(f.data),
                file=save_content(f.data),
            )
        if fields:
            message.save(update_fields=fields)
        if visible:
            updated = MessageUpdated(
                ticket_id=message.ticket_id,
                message_id=message.pk,
                excerpt=message.text[:200],
                edited=bool(message.channel_meta.get("edited")),
                attachments=message.attachments.count(),
            )
            events.record(updated, ticket=Ticket.objects.get(pk=message.ticket_id), actor_id=None)
        return message
