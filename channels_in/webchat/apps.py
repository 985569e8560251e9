from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from helpdesk import channels


def _create_config(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    """Every live-chat inbox gets its widget settings (and public key) when it is created."""
    from channels_in.webchat.channel import KIND
    from channels_in.webchat.models import WebchatConfig

    if created and not raw and instance.kind == KIND:
        WebchatConfig.objects.get_or_create(inbox=instance)


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.webchat"
    label = "channel_webchat"
    verbose_name = _("Live chat channel")
    spec = "channels_in.webchat.channel.SPEC"

    def ready(self) -> None:
        post_save.connect(_create_config, sender="helpdesk.Inbox", dispatch_uid="webchat-config")
