from __future__ import annotations

from helpdesk import channels


class PigeonConfig(channels.ChannelAppConfig):
    name = "tests.pigeon"
    label = "channel_pigeon"
    spec = "tests.pigeon.channel.SPEC"
