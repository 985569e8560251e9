from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.email"
    label = "channel_email"
    verbose_name = _("Email channel")
    spec = "channels_in.email.channel.SPEC"
