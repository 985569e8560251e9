"""The phone channel's manifest (helpdesk.channels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channels import ChannelSpec, IdentitySpec, SurveyPrompt
from helpdesk.identities import PHONE

KIND = "phone"

SPEC = ChannelSpec(
    kind=KIND,
    label=_("Phone"),
    identities=(IdentitySpec(PHONE, _("Phone"), "helpdesk.identities.normalize_phone"),),
    sender="channels_in.phone.sender.PhoneSender",
    voice=True,
    # A call's CSAT question goes to another of the caller's channels (an email, say).
    survey_prompt=SurveyPrompt.RELAY,
    event_schemas=(
        "channels_in.phone.events.CallRinging",
        "channels_in.phone.events.CallAnswered",
        "channels_in.phone.events.CallEnded",
    ),
    # The CTI endpoint sits under the API's prefix, so it is mounted before the API.
    urls=(("api/v1/cti/", "channels_in.phone.urls"), ("calls/", "channels_in.phone.page_urls")),
    # The inbox's slots: the ringing pop-up, the module that drives it, the call log.
    inbox_templates=("phone/_inbox_popup.html",),
    inbox_scripts=("phone/calls.js",),
    inbox_pages=(("call-log", _("Calls")),),
)
