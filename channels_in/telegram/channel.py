"""The Telegram channel's manifest (helpdesk.channels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channels import ChannelSpec, IdentitySpec

KIND = "telegram"
IDENTITY = "telegram"  # the user's numeric Telegram id

SPEC = ChannelSpec(
    kind=KIND,
    label=_("Telegram"),
    identities=(IdentitySpec(IDENTITY, _("Telegram")),),
    sender="channels_in.telegram.sender.TelegramSender",
    listener="channels_in.telegram.polling.TelegramPoller",
    urls=(("channels/telegram/", "channels_in.telegram.urls"),),
    setup_url="admin:channel_telegram_telegramconfig_changelist",
)
