from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


def _create_config(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    """Every live-chat inbox gets its widget settings (and public key) when it is created."""
    from channels_in.webchat.models import WebchatConfig
    from helpdesk.models import ChannelKind

    if created and not raw and instance.kind == ChannelKind.WEBCHAT:
        WebchatConfig.objects.get_or_create(inbox=instance)


class ChannelConfig(AppConfig):
    name = "channels_in.webchat"
    label = "channel_webchat"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_save.connect(_create_config, sender="helpdesk.Inbox", dispatch_uid="webchat-config")
