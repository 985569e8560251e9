"""Admin for Telegram bots (the shared Bot API kit's admin, in Telegram's words)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channels_in.telegram.channel import PROFILE
from channels_in.telegram.models import TelegramConfig
from helpdesk.channel_kit.botapi.admin import BotConfigAdmin, BotConfigForm


class TelegramConfigForm(BotConfigForm):
    profile = PROFILE
    token_help = _("From @BotFather. Leave empty to keep the current token.")

    class Meta(BotConfigForm.Meta):
        model = TelegramConfig


@admin.register(TelegramConfig)
class TelegramConfigAdmin(BotConfigAdmin):
    profile = PROFILE
    form = TelegramConfigForm
    known_as = _("Telegram knows this bot as %(name)s (@%(username)s).")
    connected_as = _("%(inbox)s: connected to Telegram as %(name)s (@%(username)s).")
