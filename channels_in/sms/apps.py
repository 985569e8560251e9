from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.sms"
    label = "channel_sms"
    verbose_name = _("SMS channel")
    spec = "channels_in.sms.channel.SPEC"

    def ready(self) -> None:
        from channels_in.sms.missed_calls import install

        install()
