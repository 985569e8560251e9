from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.phone"
    label = "channel_phone"
    verbose_name = _("Phone channel")
    spec = "channels_in.phone.channel.SPEC"
