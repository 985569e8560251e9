"""The live-chat channel's manifest (helpdesk.channels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channels import ChannelSpec, IdentitySpec, SurveyPrompt

KIND = "webchat"
IDENTITY = "webchat"  # the widget's visitor id

SPEC = ChannelSpec(
    kind=KIND,
    label=_("Live chat"),
    identities=(IdentitySpec(IDENTITY, _("Live chat")),),
    sender="channels_in.webchat.sender.WebchatSender",
    urls=(("chat/", "channels_in.webchat.urls"),),
    websocket_urls="channels_in.webchat.routing.websocket_urlpatterns",
    agent_activity="channels_in.webchat.live.WidgetActivity",
    # Survey questions are drawn as a rating inline in the conversation (survey.py).
    survey_prompt=SurveyPrompt.NATIVE,
)
