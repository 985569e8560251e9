"""The Bale channel's manifest (helpdesk.channels) and its Bot API profile.

Bale (bale.ai) copies Telegram's Bot API at its own root, tapi.bale.ai; the
adapter is the shared kit (helpdesk.channel_kit.botapi) with Bale's differences
declared here (docs/bale.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.channels import ChannelSpec, IdentitySpec

KIND = "bale"
IDENTITY = "bale"  # the user's numeric Bale id

SPEC = ChannelSpec(
    kind=KIND,
    label=_("Bale"),
    identities=(IdentitySpec(IDENTITY, _("Bale")),),
    sender="channels_in.bale.sender.BaleSender",
    listener="channels_in.bale.polling.BalePoller",
    urls=(("channels/bale/", "channels_in.bale.urls"),),
    setup_url="admin:channel_bale_baleconfig_changelist",
)

PROFILE = BotApiProfile(
    kind=KIND,
    identity=IDENTITY,
    service="Bale",
    meta_prefix="bale",
    api_url_setting="BALE_API_URL",
    default_api_url="https://tapi.bale.ai",
    config_model="channel_bale.BaleConfig",
    chat_model="channel_bale.BaleChat",
    handled_model="channel_bale.BaleHandledUpdate",
    part_model="channel_bale.BaleSentPart",
    tasks_module="channels_in.bale.tasks",
    webhook_route="bale-webhook",
    # Bale's setWebhook takes only a URL and sends no secret header: the secret
    # is the last path segment of the webhook URL instead.
    secret_header=None,
    # Bale documents no parse_mode=HTML and no reply_parameters object.
    html=False,
    reply_parameters=False,
    start_link="https://ble.ir/{username}?start={payload}",
    allowed_updates=("message", "edited_message", "callback_query"),
)
