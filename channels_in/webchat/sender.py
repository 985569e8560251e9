"""Outbound live chat: an agent's reply goes to the visitor's widget as it happens."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from channels_in.base import DeliveryError, SendResult
from channels_in.webchat import live
from channels_in.webchat.conversations import message_frame
from helpdesk import events
from helpdesk.models import ContactIdentity, IdentityKind, Message

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WebchatSendResult(SendResult):
    """A SendResult that also says whether the visitor had the chat open.

    When they had not, `email` is the contact's email identity if they have one
    (from the pre-chat form or another channel), so the inbox can offer to
    continue by email; the reply itself stays in the chat for their return.
    """

    visitor_online: bool = True
    email: str = ""


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
        if online:
            return WebchatSendResult(external_id=f"webchat:out:{message.pk}")
        email = (
            ContactIdentity.objects.filter(
                contact__tickets=message.ticket_id, kind=IdentityKind.EMAIL
            )
            .values_list("address", flat=True)
            .first()
        ) or ""
        if email and _continue_by_email(full, email):
            logger.info("webchat reply %s also sent by email to the absent visitor", message.pk)
            return WebchatSendResult(
                external_id=f"webchat:out:{message.pk}:emailed",
                visitor_online=False,
                email=email,
            )
        logger.info("webchat reply %s stored for an absent visitor", message.pk)
        return WebchatSendResult(
            external_id=f"webchat:out:{message.pk}:visitor-away",
            visitor_online=False,
            email=email,
        )


def _continue_by_email(message: Message, address: str) -> bool:
    """The visitor left: send the reply from the team's mailbox too, if it has one.

    The mail's subject carries the ticket token, so the customer's answer by email
    threads back into this chat ticket. A mailbox that refuses leaves the reply in
    the chat (it is not lost) and is logged.
    """
    from channels_in.email.models import MailboxConfig
    from channels_in.email.sender import build_mail, deliver

    team_id = message.ticket.team_id
    if team_id is None:
        return False
    config = (
        MailboxConfig.objects.filter(
            inbox__team_id=team_id, inbox__kind="email", inbox__enabled=True
        )
        .exclude(smtp_host="")
        .exclude(from_address="")
        .order_by("inbox_id")
        .first()
    )
    if config is None:
        return False
    try:
        deliver(config, build_mail(config, message, address, []), address)
    except DeliveryError as exc:
        logger.warning("emailing chat reply %s failed: %s", message.pk, exc.reason)
        return False
    return True
