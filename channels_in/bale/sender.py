"""Agent replies and auto-replies to Bale (the shared Bot API kit's sender, plain text)."""

from __future__ import annotations

from channels_in.bale.channel import PROFILE
from helpdesk.channel_kit.botapi.sender import BotApiSender


class BaleSender(BotApiSender):
    """Delivers an outbound message to the customer's private chat with the inbox's bot."""

    profile = PROFILE
