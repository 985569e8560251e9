from __future__ import annotations

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.email"
    label = "channel_email"
    spec = "channels_in.email.channel.SPEC"
