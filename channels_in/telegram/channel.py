"""The Telegram channel's manifest (helpdesk.channels) and its Bot API profile."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.channels import ChannelSpec, IdentitySpec, SurveyPrompt

KIND = "telegram"
IDENTITY = "telegram"  # the user's numeric Telegram id

SPEC = ChannelSpec(
    kind=KIND,
    label=_("Telegram"),
    identities=(
        IdentitySpec(
            IDENTITY, _("Telegram"), handle_lookup="channels_in.telegram.handles.addresses"
        ),
    ),
    sender="channels_in.telegram.sender.TelegramSender",
    listener="channels_in.telegram.polling.TelegramPoller",
    urls=(("channels/telegram/", "channels_in.telegram.urls"),),
    setup_url="admin:channel_telegram_telegramconfig_changelist",
    # Surveys: the scale as inline-keyboard buttons (helpdesk.channel_kit.botapi.survey).
    survey_prompt=SurveyPrompt.NATIVE,
)

# Everything else comes from the shared Bot API kit (helpdesk.channel_kit.botapi).
PROFILE = BotApiProfile(
    kind=KIND,
    identity=IDENTITY,
    service="Telegram",
    meta_prefix="telegram",
    api_url_setting="TELEGRAM_API_URL",
    default_api_url="https://api.telegram.org",
    config_model="channel_telegram.TelegramConfig",
    chat_model="channel_telegram.TelegramChat",
    handled_model="channel_telegram.HandledUpdate",
    part_model="channel_telegram.SentPart",
    tasks_module="channels_in.telegram.tasks",
    webhook_route="telegram-webhook",
    callback_handler="channels_in.telegram.survey.on_button",
)
