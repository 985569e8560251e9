"""The texts of the phone pop-up, translated here so its ES module needs no catalogue."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def phone_popup_strings() -> dict[str, Any]:
    """{% phone_popup_strings as strings %}{{ strings|json_script:"phone-strings" }}"""
    return {
        "incoming_call": _("Incoming call"),
        "outgoing_call": _("Outgoing call"),
        "call_in_progress": _("Call in progress"),
        "call_ended": _("Call ended"),
        "missed_call": _("Missed call"),
        "unknown_caller": _("Unknown caller"),
        "create_contact": _("log the call and create a contact"),
        "open_tickets": _("Open tickets"),
        "last_contacts": _("Last contacts"),
        "notes": _("Notes"),
        "outcome": _("Outcome"),
        "ticket": _("Ticket"),
        "follow_up": _("New follow-up ticket"),
        "save_call": _("Save call"),
        "close": _("Close"),
        "outcomes": [
            ["answered", _("Answered")],
            ["voicemail", _("Voicemail")],
            ["missed", _("Missed")],
        ],
    }
