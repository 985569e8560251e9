from __future__ import annotations

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.webform"
    label = "channel_webform"
    spec = "channels_in.webform.channel.SPEC"
