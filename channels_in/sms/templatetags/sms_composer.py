"""The SMS part of the ticket page: the composer's counter, the texts' delivery states."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from channels_in.sms.channel import KIND
from channels_in.sms.models import OutboundSms, SmsConfig, SmsStatus

register = template.Library()


@register.simple_tag
def sms_composer(ticket: Any) -> dict[str, Any] | None:
    """What composer.js needs for a ticket of an SMS inbox, else None (no query)."""
    if not ticket or getattr(ticket.inbox, "kind", None) != KIND:
        return None
    config = SmsConfig.objects.filter(inbox_id=ticket.inbox_id).first()
    if config is None:
        return None
    return {
        "max_segments": config.max_segments,
        "cost_gsm": str(config.cost_gsm),
        "cost_ucs2": str(config.cost_ucs2),
        "currency": config.currency,
        "strings": {
            "count": _("{segments} SMS · {units}/{limit} characters · about {cost} {currency}"),
            "over": _("Too long: {segments} SMS; this inbox sends at most {max}."),
        },
    }


@register.simple_tag
def sms_statuses(ticket: Any) -> dict[str, Any] | None:
    """The provider's word on each text of the ticket (any inbox: a missed call's SMS
    sits on a phone ticket), with labels for the live updates; one query."""
    if not ticket:
        return None
    found = dict(
        OutboundSms.objects.filter(message__ticket_id=ticket.pk).values_list("message_id", "status")
    )
    return {
        "ticket_id": ticket.pk,
        "messages": {str(k): v for k, v in found.items()},
        "labels": {choice.value: str(choice.label) for choice in SmsStatus},
    }
