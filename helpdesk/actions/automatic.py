"""Messages the desk sends by itself (acknowledgements, out-of-office, rule replies)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.ingest import message_created
from helpdesk.models import AuthorKind, DeliveryStatus, Direction, Message, Ticket

DEFAULT_HOURLY_CAP = 3


def automatic_sent_recently(contact_id: int, *, hours: int = 1) -> int:
    """How many automatic messages went to this contact in the last `hours`."""
    since = timezone.now() - timedelta(hours=hours)
    return Message.objects.filter(
        ticket__contact_id=contact_id,
        author_kind=AuthorKind.SYSTEM,
        direction=Direction.OUTBOUND,
        created_at__gte=since,
    ).count()


def _last_inbound(ticket: Ticket) -> Message | None:
    return (
        Message.objects.filter(ticket=ticket, direction=Direction.INBOUND).order_by("-id").first()
    )


def last_inbound_is_automatic(ticket: Ticket) -> bool:
    last = _last_inbound(ticket)
    return bool(last and last.channel_meta.get("auto_generated"))


def _answered_already(ticket: Ticket, reason: str, after: Message | None) -> bool:
    """The customer's latest message already got an automatic answer of this kind
    (an inbox's "answer with articles" and a rule sending articles, say)."""
    answers = Message.objects.filter(
        ticket=ticket, author_kind=AuthorKind.SYSTEM, channel_meta__reason=reason
    )
    if after is not None:
        answers = answers.filter(id__gt=after.pk)
    return answers.exists()


def do_send_automatic(
    ticket_id: int, text: str, *, reason: str, cap_per_hour: int = DEFAULT_HOURLY_CAP
) -> Message | None:
    """Queue an automatic reply on the ticket's channel, unless loop protection says no.

    Never answers auto-generated mail (bounces, out-of-office, lists), answers a
    customer message at most once per `reason` (rule replies excepted: each rule
    says something of its own), and sends at most `cap_per_hour` automatic
    messages per contact per hour. Returns None when it refused.
    """
    if not text.strip():
        return None
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("inbox").get(pk=ticket_id)
        last = _last_inbound(ticket)
        if last is not None and last.channel_meta.get("auto_generated"):
            return None
        if reason != "rule" and _answered_already(ticket, reason, last):
            return None
        if automatic_sent_recently(ticket.contact_id) >= cap_per_hour:
            return None
        message = Message.objects.create(
            ticket=ticket,
            inbox_id=ticket.inbox_id,
            direction=Direction.OUTBOUND,
            author_kind=AuthorKind.SYSTEM,
            text=text,
            channel_meta={"automatic": True, "reason": reason},
            delivery_status=DeliveryStatus.QUEUED,
            created_at=timezone.now(),
        )
        events.record(message_created(message, ticket.inbox.kind), ticket=ticket, actor_id=None)
        from helpdesk.tasks import deliver_message

        transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
        return message
