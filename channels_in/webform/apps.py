from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.webform"
    label = "channel_webform"
    verbose_name = _("Web form channel")
    spec = "channels_in.webform.channel.SPEC"
