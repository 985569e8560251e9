from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.bale"
    label = "channel_bale"
    verbose_name = _("Bale channel")
    spec = "channels_in.bale.channel.SPEC"

    def ready(self) -> None:
        from helpdesk.channel_kit.botapi.client import install_log_redaction

        install_log_redaction("channels_in.bale")
