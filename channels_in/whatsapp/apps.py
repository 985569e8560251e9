from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.whatsapp"
    label = "channel_whatsapp"
    verbose_name = _("WhatsApp channel")
    spec = "channels_in.whatsapp.channel.SPEC"
