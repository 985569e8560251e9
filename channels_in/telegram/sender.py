"""Agent replies and auto-replies to Telegram (the shared Bot API kit's sender)."""

from __future__ import annotations

from channels_in.telegram.channel import PROFILE
from channels_in.telegram.models import TelegramChat
from helpdesk.channel_kit.botapi import sender
from helpdesk.channel_kit.botapi.handler import blocked_reason
from helpdesk.channel_kit.botapi.sender import BotApiSender
from helpdesk.models import Message

BLOCKED_REASON = blocked_reason(PROFILE)


class TelegramSender(BotApiSender):
    """Delivers an outbound message to the customer's private chat with the inbox's bot."""

    profile = PROFILE


def chat_for(message: Message) -> TelegramChat | None:
    """The private chat of the ticket's contact with this inbox's bot (latest used)."""
    chat: TelegramChat | None = sender.chat_for(PROFILE, message)
    return chat
