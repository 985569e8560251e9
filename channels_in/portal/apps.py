from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.portal"
    label = "portal"
    verbose_name = _("Customer portal")
    spec = "channels_in.portal.channel.SPEC"
