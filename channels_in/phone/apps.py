from __future__ import annotations

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.phone"
    label = "channel_phone"
    spec = "channels_in.phone.channel.SPEC"
