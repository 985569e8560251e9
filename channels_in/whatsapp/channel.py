"""The WhatsApp channel's manifest (helpdesk.channels): the WhatsApp Business Cloud API.

Customers are known by their phone number, the same identity kind as the phone
and SMS channels, so a customer's WhatsApp messages, texts and calls meet on one
contact.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channels import ChannelSpec, IdentitySpec
from helpdesk.identities import PHONE

KIND = "whatsapp"

SPEC = ChannelSpec(
    kind=KIND,
    label=_("WhatsApp"),
    identities=(IdentitySpec(PHONE, _("Phone"), "helpdesk.identities.normalize_phone"),),
    sender="channels_in.whatsapp.sender.WhatsAppSender",
    urls=(("channels/whatsapp/", "channels_in.whatsapp.urls"),),
    setup_url="admin:channel_whatsapp_whatsappconfig_changelist",
    event_schemas=("channels_in.whatsapp.events.WhatsAppStatusChanged",),
    # The composer: the 24-hour window's state and the template picker.
    inbox_templates=("whatsapp/_composer.html",),
    inbox_scripts=("whatsapp/composer.js",),
)
