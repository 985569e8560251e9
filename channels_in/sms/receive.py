"""Received texts and delivery reports, applied to the desk exactly once."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels_in.sms.actions import do_record_sms_status
from channels_in.sms.models import RANK, OutboundSms, SmsConfig, SmsStatus
from channels_in.sms.providers.base import BadPayload, IncomingSms, Report
from channels_in.sms.segments import count
from helpdesk.actions.messages import do_record_delivery
from helpdesk.identities import PHONE, InvalidAddress, normalize_phone
from helpdesk.inbound import InboundMessage, Sender
from helpdesk.ingest import receive
from helpdesk.models import DeliveryStatus, Message

logger = logging.getLogger(__name__)

INBOUND_PREFIX = "sms-in:"
OUTBOUND_PREFIX = "sms-out:"


def inbound_message(config: SmsConfig, sms: IncomingSms) -> InboundMessage:
    """The text as the core takes it; BadPayload when the sender is not a phone number."""
    try:
        number = normalize_phone(sms.number)
    except InvalidAddress as exc:
        raise BadPayload(str(exc)) from exc
    return InboundMessage(
        inbox_id=config.inbox_id,
        external_id=INBOUND_PREFIX + sms.message_id,
        sender=Sender(kind=PHONE, address=number),
        received_at=timezone.now(),
        text=sms.text,
        meta={"sms_line": sms.line, "sms_segments": count(sms.text).segments},
    )


def store_inbound(message: InboundMessage) -> str:
    """One received text as a message on the sender's phone identity: "stored", or
    "duplicate" when the provider's id was seen before."""
    return "stored" if receive(message).created else "duplicate"


def apply_report(config: SmsConfig, report: Report) -> str:
    """Move a text's status forward; a report older than what we know changes nothing.

    Reports come out of order (a "sent to operator" after the "delivered") and may
    come before the send itself returned: the row is created then, and the sender
    finds it. A failure puts the provider's words on the message for the agent.
    """
    if report.status is None:
        logger.info("sms inbox %s: status %r ignored", config.inbox_id, report.provider_status)
        return "ignored"
    for _attempt in range(2):
        try:
            outcome, message_id = _advance(config, report, report.status)
            break
        except IntegrityError:  # the sender (or a twin report) created the row meanwhile
            continue
    else:
        return "conflict"
    if outcome == "updated" and message_id:
        if report.status == SmsStatus.FAILED:
            fail_message(message_id, report)
        do_record_sms_status(message_id, report.status)
    return outcome


def _advance(config: SmsConfig, report: Report, status: SmsStatus) -> tuple[str, int | None]:
    with transaction.atomic():
        row = (
            OutboundSms.objects.select_for_update()
            .filter(inbox_id=config.inbox_id, provider_message_id=report.message_id)
            .first()
        )
        if row is None:
            row = OutboundSms.objects.create(
                inbox_id=config.inbox_id,
                provider_message_id=report.message_id,
                status=status,
                provider_status=report.provider_status[:50],
                provider_words=report.words[:500],
            )
            return "updated", None
        if RANK[status] <= RANK[SmsStatus(row.status)]:
            return "stale", row.message_id
        row.status = status
        row.provider_status = report.provider_status[:50]
        row.provider_words = report.words[:500]
        row.save(update_fields=["status", "provider_status", "provider_words", "updated_at"])
        return "updated", row.message_id


def failure_reason(words: str, code: str) -> str:
    return f"not delivered: {words} (provider status {code})"


def fail_message(message_id: int, report: Report) -> None:
    """The provider could not deliver a text the desk had marked sent."""
    status = Message.objects.filter(pk=message_id).values_list("delivery_status", flat=True).first()
    if status != DeliveryStatus.SENT:
        return  # still sending: the sender sees the failed row and reports it itself
    reason = failure_reason(report.words, report.provider_status)
    do_record_delivery(message_id, status=DeliveryStatus.FAILED, error=reason)
