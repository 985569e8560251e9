"""Outbound live chat: an agent's reply goes to the visitor's widget as it happens.

A visitor who has left still finds the reply in the widget on their return; the
result says they were not reached, and the core's delivery then offers the reply
on another channel of theirs (by email from the team's mailbox, for instance).
"""

from __future__ import annotations

import logging

from channels_in.webchat import live
from channels_in.webchat.conversations import message_frame
from helpdesk import events
from helpdesk.channels import DeliveryError, SendResult
from helpdesk.models import Message

logger = logging.getLogger(__name__)


class WebchatSender:
    def send(self, message: Message) -> SendResult:
        """Publish the reply to every chat of the ticket's visitor; never touches the ticket.

        Raises a permanent DeliveryError when the ticket has no chat visitor (for
        instance after a merge into a ticket that came by email).
        """
        keys = live.chat_keys_for_ticket(message.ticket_id)
        if not keys:
            raise DeliveryError(
                "this ticket has no live-chat visitor to deliver to; reply on another channel",
                permanent=True,
            )
        full = (
            Message.objects.select_related("author_agent__agent")
            .prefetch_related("attachments")
            .get(pk=message.pk)
        )
        frame = {"type": "message", "message": message_frame(full)}
        events.publish([live.chat_group(key) for key in keys], frame)
        online = any(live.is_present(key) for key in keys)
        if not online:
            logger.info("webchat reply %s kept for an absent visitor", message.pk)
        # Not reached: the core may carry a copy to the contact's other channels.
        return SendResult(external_id=f"webchat:out:{message.pk}", reached=online)
