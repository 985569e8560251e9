"""The SMS channel's own action: texting a caller whose call was missed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from channels_in.sms.channel import KIND
from channels_in.sms.events import SmsStatusChanged
from helpdesk import events
from helpdesk.actions.automatic import automatic_sent_recently
from helpdesk.ingest import message_created
from helpdesk.models import AuthorKind, DeliveryStatus, Direction, Message, Ticket

REASON = "missed_call_sms"
HOURLY_CAP = 1  # one "we'll call you back" an hour per contact, however often they try


def do_text_missed_caller(
    ticket_id: int, sms_inbox_id: int, text: str, *, call_id: object
) -> Message | None:
    """Queue an SMS to the caller on the missed call's ticket (sent from `sms_inbox_id`).

    The text sits on the phone ticket, so the agent calling back sees it went out
    (and whether it arrived). Once per call, at most HOURLY_CAP an hour per
    contact; records `message.created`; the core's delivery task sends it.
    Returns None when it declined.
    """
    if not text.strip():
        return None
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        already = Message.objects.filter(
            ticket=ticket, channel_meta__reason=REASON, channel_meta__call_id=call_id
        ).exists()
        if already or automatic_sent_recently(ticket.contact_id) >= HOURLY_CAP:
            return None
        message = Message.objects.create(
            ticket=ticket,
            inbox_id=sms_inbox_id,
            direction=Direction.OUTBOUND,
            author_kind=AuthorKind.SYSTEM,
            text=text,
            channel_meta={"automatic": True, "reason": REASON, "call_id": call_id},
            delivery_status=DeliveryStatus.QUEUED,
            created_at=timezone.now(),
        )
        events.record(message_created(message, KIND), ticket=ticket, actor_id=None)
        from helpdesk.tasks import deliver_message

        transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
        return message


def do_record_sms_status(message_id: int, status: str) -> None:
    """Record (and publish on commit) that a text's provider status moved to `status`."""
    with transaction.atomic():
        ticket_id = Message.objects.filter(pk=message_id).values_list("ticket_id", flat=True)
        ticket = Ticket.objects.select_for_update().filter(pk__in=ticket_id).first()
        if ticket is None:
            return
        changed = SmsStatusChanged(ticket_id=ticket.pk, message_id=message_id, status=status)
        events.record(changed, ticket=ticket, actor_id=None)
