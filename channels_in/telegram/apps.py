from __future__ import annotations

import os

from django.utils.translation import gettext_lazy as _

from helpdesk import channels


class ChannelConfig(channels.ChannelAppConfig):
    name = "channels_in.telegram"
    label = "channel_telegram"
    verbose_name = _("Telegram channel")
    spec = "channels_in.telegram.channel.SPEC"

    def ready(self) -> None:
        from channels_in.telegram.bot import install_log_redaction

        # Opt in to python-telegram-bot's timedelta durations (its v23 default);
        # our code reads both forms, and the int form warns on every 429.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        install_log_redaction()
