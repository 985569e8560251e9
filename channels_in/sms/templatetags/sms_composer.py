"""The composer's SMS counter: limits and prices of the open ticket's SMS inbox."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from channels_in.sms.channel import KIND
from channels_in.sms.models import SmsConfig

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
