"""Message actions: replies (outbound, delivered by a task), notes, delivery outcomes."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
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
    """Queue an outbound message for delivery again: a failed one, or one that may have
    been sent (`uncertain`) which only an agent may decide to send once more."""
    with transaction.atomic():
        message = Message.objects.filter(pk=message_id).first()
        if message is None:
            raise NotFound(f"message {message_id} not found")
        ticket = lock_ticket(actor, message.ticket_id)
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.direction != Direction.OUTBOUND or message.delivery_status not in RETRYABLE:
            raise Invalid(
                "only a failed, uncertain or not connected outbound message can be sent again",
                field="message_id",
            )
        message.delivery_status = DeliveryStatus.QUEUED
        message.delivery_attempts = 0
        message.delivery_attempt = ""
        message.save(update_fields=["delivery_status", "delivery_attempts", "delivery_attempt"])
        _record_delivery(message, ticket=ticket, actor_id=actor.pk)
        _enqueue_delivery(message.pk)
        return message


RETRYABLE = (DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN, DeliveryStatus.NOT_CONNECTED)


def _enqueue_delivery(message_id: int) -> None:
    from helpdesk.tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.enqueue(message_id))


def _record_delivery(message: Message, *, ticket: Ticket, actor_id: int | None) -> None:
    # `ticket` is locked by the caller: ticket rows first, the event sequence lock
    # last (the global lock order, docs/architecture.md).
    delivery = MessageDelivery(
        ticket_id=message.ticket_id,
        message_id=message.pk,
        delivery_status=message.delivery_status,
        error=message.delivery_error,
        attempts=message.delivery_attempts,
    )
    events.record(delivery, ticket=ticket, actor_id=actor_id)


def _lock_message(message_id: int) -> tuple[Ticket, Message] | None:
    """Lock a message's ticket row, then the message row (the global lock order)."""
    ticket_id = Message.objects.filter(pk=message_id).values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        return None
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    message = Message.objects.select_for_update().get(pk=message_id)
    return ticket, message


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


# A terminated connection, a failover, a deadlock victim: the statement did not
# happen and may simply be run again on a fresh connection.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
RECORD_TRIES = 4


def _with_retries[T](step: Callable[[], T], what: str) -> T:
    """Run `step` (one short transaction) again after a transient database error.

    Inside a caller's transaction it runs once: that transaction is what failed.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        return step()
    for attempt in range(1, RECORD_TRIES + 1):
        try:
            return step()
        except TRANSIENT_DB_ERRORS:
            if attempt == RECORD_TRIES:
                raise
            logger.warning("%s failed on the database (try %s); trying again", what, attempt)
            connection.close_if_unusable_or_obsolete()
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def do_start_delivery(message_id: int, *, external_id: str | None = None) -> str | None:
    """Claim a queued outbound message for one send: queued -> sending (delivery task).

    Committed before the send, with a new attempt id and the id the channel will
    give the message when the sender can tell it beforehand (SMTP's Message-ID).
    None when the message is not queued (sent, failed, or another worker has it).
    Touches the message row only and records no event: it takes no ticket lock.
    """
    attempt = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, direction=Direction.OUTBOUND)
            .first()
        )
        if message is None or message.delivery_status != DeliveryStatus.QUEUED:
            return None
        message.delivery_status = DeliveryStatus.SENDING
        message.delivery_attempt = attempt
        message.delivery_started_at = now
        fields = ["delivery_status", "delivery_attempt", "delivery_started_at"]
        if external_id and not message.external_id and not _external_id_taken(message, external_id):
            message.external_id = external_id
            fields.append("external_id")
        message.save(update_fields=fields)
    return attempt


def do_record_delivery(
    message_id: int,
    *,
    status: DeliveryStatus,
    error: str = "",
    external_id: str | None = None,
    attempt: str | None = None,
) -> Message:
    """Record a delivery attempt's outcome (the delivery task, the sweeper, bounces).

    Two short transactions, each retried on a transient database error without
    sending again: first the message row alone (once that commits the outcome is
    kept whatever follows), then the `message.delivery` event under the ticket
    row lock, the sequence lock last. With `attempt`, the outcome only applies to
    a message still sending that attempt (a late or repeated report changes nothing).
    """
    message, changed = _with_retries(
        lambda: _store_outcome(message_id, status, error, external_id, attempt),
        f"recording delivery of message {message_id}",
    )
    if changed:
        try:
            _with_retries(
                lambda: _record_delivery_event(message_id),
                f"recording the delivery event of message {message_id}",
            )
        except TRANSIENT_DB_ERRORS:
            # The outcome is stored; only the live update is lost (the timeline shows
            # the stored status on the next load).
            logger.exception("message %s: delivery stored, event not recorded", message_id)
    return message


def _store_outcome(
    message_id: int,
    status: DeliveryStatus,
    error: str,
    external_id: str | None,
    attempt: str | None,
) -> tuple[Message, bool]:
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if attempt is not None and (
            message.delivery_status != DeliveryStatus.SENDING or message.delivery_attempt != attempt
        ):
            logger.warning(
                "message %s: outcome %s of attempt %s ignored (now %s)",
                message_id,
                status,
                attempt,
                message.delivery_status,
            )
            return message, False
        message.delivery_attempts += 1
        message.delivery_status = status
        message.delivery_error = error[:2000]
        fields = ["delivery_attempts", "delivery_status", "delivery_error"]
        if status == DeliveryStatus.SENT:
            message.sent_at = timezone.now()
            fields.append("sent_at")
            if (
                external_id
                and external_id != message.external_id
                and not _external_id_taken(message, external_id)
            ):
                message.external_id = external_id
                fields.append("external_id")
        message.save(update_fields=fields)
        return message, True


def _record_delivery_event(message_id: int) -> None:
    with transaction.atomic():
        locked = _lock_message(message_id)
        if locked is not None:
            ticket, message = locked
            _record_delivery(message, ticket=ticket, actor_id=None)


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
        locked = _lock_message(message_id)
        if locked is None:
            raise NotFound(f"message {message_id} not found")
        ticket, message = locked
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
            events.record(updated, ticket=ticket, actor_id=None)
        return message
