"""The SMS channel's manifest (helpdesk.channels).

Customers are known by their phone number: the same identity kind (and the same
normalizer) as the phone channel's callers, so a customer's texts and calls meet
on one contact.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channels import ChannelSpec, IdentitySpec
from helpdesk.identities import PHONE

KIND = "sms"

SPEC = ChannelSpec(
    kind=KIND,
    label=_("SMS"),
    identities=(IdentitySpec(PHONE, _("Phone"), "helpdesk.identities.normalize_phone"),),
    sender="channels_in.sms.sender.SmsSender",
    urls=(("channels/sms/", "channels_in.sms.urls"),),
    setup_url="admin:channel_sms_smsconfig_changelist",
    event_schemas=("channels_in.sms.events.SmsStatusChanged",),
    # The composer's segment and cost counter and the texts' delivery states
    # (templatetags/sms_composer.py, static/sms/composer.js).
    inbox_templates=("sms/_composer.html",),
    inbox_scripts=("sms/composer.js",),
)
