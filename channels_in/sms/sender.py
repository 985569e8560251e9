"""Agent replies and automatic messages by SMS."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from channels_in.sms.models import RANK, OutboundSms, Provider, SmsConfig, SmsStatus
from channels_in.sms.providers import provider_for
from channels_in.sms.providers.base import ProviderError, Receipt
from channels_in.sms.providers.kavenegar import Kavenegar
from channels_in.sms.receive import OUTBOUND_PREFIX, failure_reason
from channels_in.sms.segments import Count, cost, count
from helpdesk.channels import DeliveryError, NotConnected, SendResult
from helpdesk.identities import PHONE
from helpdesk.models import Contact, ContactIdentity
from helpdesk.models import Message as DeskMessage


class SmsSender:
    """Sends a reply to the contact's phone number through the inbox's provider."""

    def send(self, message: DeskMessage) -> SendResult:
        """Refuse what SMS cannot carry (files, more segments than the inbox allows),
        else hand the text to the provider, naming it by our message id."""
        config = SmsConfig.objects.filter(inbox_id=message.inbox_id).first()
        if config is None:
            raise NotConnected("this inbox has no SMS line configured")
        if not (config.api_key if config.provider == Provider.KAVENEGAR else config.send_url):
            raise NotConnected("the SMS line has no provider credentials yet")
        number = phone_number(message)
        if number is None:
            raise DeliveryError(
                "the customer has no phone number this desk can text", permanent=True
            )
        if message.attachments.exists():
            raise DeliveryError(
                "SMS cannot carry files: send them on another channel", permanent=True
            )
        text = message.text.strip()
        counted = count(text)
        if counted.segments > config.max_segments:
            raise DeliveryError(
                f"the reply is {counted.segments} SMS segments; this inbox sends at most "
                f"{config.max_segments}",
                permanent=True,
            )
        try:
            receipt = provider_for(config).send(number, text, reference=str(message.pk))
        except ProviderError as exc:
            raise DeliveryError(exc.reason, permanent=exc.permanent) from exc
        row = record_sent(config, message, number, counted, receipt)
        if row.status == SmsStatus.FAILED:
            raise DeliveryError(
                failure_reason(row.provider_words, row.provider_status), permanent=True
            )
        return SendResult(external_id=OUTBOUND_PREFIX + receipt.provider_message_id)

    def was_delivered(self, message: DeskMessage) -> bool | None:
        """After a crash mid-send (helpdesk.channels.DeliveryLookup): True when the
        provider had accepted the text; for Kavenegar, asked by our localid (False:
        it never got it, safe to send); a generic gateway cannot tell (None)."""
        if OutboundSms.objects.filter(message=message).exists():
            return True
        config = SmsConfig.objects.filter(inbox_id=message.inbox_id).first()
        if config is None or config.provider != Provider.KAVENEGAR or not config.api_key:
            return None
        try:
            return Kavenegar(config).sent_before(str(message.pk))
        except ProviderError:
            return None

    def send_text(self, address: str, text: str) -> bool:
        """Text `address` from the first SMS line that can send, outside any ticket
        (helpdesk.channels.DirectTexter: the customer portal's sign-in codes). Not
        logged as a sent text: it belongs to no conversation and holds a secret."""
        for config in SmsConfig.objects.filter(inbox__enabled=True).order_by("inbox_id"):
            if not (config.api_key if config.provider == Provider.KAVENEGAR else config.send_url):
                continue
            try:
                provider_for(config).send(address, text, reference=str(secrets.randbelow(10**15)))
            except ProviderError as exc:
                raise DeliveryError(exc.reason, permanent=exc.permanent) from exc
            return True
        return False


def phone_number(message: DeskMessage) -> str | None:
    """The contact's first reachable phone number (E.164), if any."""
    contact = Contact.objects.get(pk=message.ticket.contact_id).resolve()
    return (
        ContactIdentity.objects.filter(contact=contact, kind=PHONE, unreachable_reason="")
        .order_by("id")
        .values_list("address", flat=True)
        .first()
    )


def record_sent(
    config: SmsConfig, message: DeskMessage, number: str, counted: Count, receipt: Receipt
) -> OutboundSms:
    """Remember the text; a delivery report that came first keeps its (later) status."""
    estimate = receipt.cost
    if estimate is None:
        estimate = cost(counted, gsm=config.cost_gsm, ucs2=config.cost_ucs2)
    values = {
        "message": message,
        "number": number,
        "segments": counted.segments,
        "cost": estimate,
    }
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row, created = OutboundSms.objects.select_for_update().get_or_create(
                    inbox_id=config.inbox_id,
                    provider_message_id=receipt.provider_message_id,
                    defaults={
                        **values,
                        "status": receipt.status,
                        "provider_status": receipt.provider_status[:50],
                        "provider_words": receipt.words[:500],
                    },
                )
                if not created:
                    for name, value in values.items():
                        setattr(row, name, value)
                    fields = [*values, "updated_at"]
                    if RANK[receipt.status] > RANK[SmsStatus(row.status)]:
                        row.status = receipt.status
                        fields.append("status")
                    row.save(update_fields=fields)
                return row
        except IntegrityError:
            continue
    return OutboundSms.objects.get(
        inbox_id=config.inbox_id, provider_message_id=receipt.provider_message_id
    )
