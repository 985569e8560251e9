"""Admin for Bale bots (the shared Bot API kit's admin, in Bale's words)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channels_in.bale.channel import PROFILE
from channels_in.bale.models import BaleConfig
from helpdesk.channel_kit.botapi.admin import BotConfigAdmin, BotConfigForm


class BaleConfigForm(BotConfigForm):
    profile = PROFILE
    token_help = _("From @BotFather in Bale. Leave empty to keep the current token.")

    class Meta(BotConfigForm.Meta):
        model = BaleConfig


@admin.register(BaleConfig)
class BaleConfigAdmin(BotConfigAdmin):
    profile = PROFILE
    form = BaleConfigForm
    known_as = _("Bale knows this bot as %(name)s (@%(username)s).")
    connected_as = _("%(inbox)s: connected to Bale as %(name)s (@%(username)s).")
