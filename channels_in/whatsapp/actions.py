"""The WhatsApp channel's mutations: statuses of sent messages, replies as templates.

Every change to a message goes through the core's actions (do_record_delivery,
do_reply) or records this channel's own typed event (events.WhatsAppStatusChanged).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from channels_in.whatsapp.events import WhatsAppStatusChanged
from channels_in.whatsapp.models import (
    MessageStatus,
    SentPart,
    Status,
    TemplateSend,
    WhatsAppTemplate,
)
from channels_in.whatsapp.parse import StatusReport
from helpdesk import events
from helpdesk.actions.common import Actor
from helpdesk.actions.errors import ActionError
from helpdesk.actions.messages import do_record_delivery, do_reply
from helpdesk.models import DeliveryStatus, Message, Ticket

logger = logging.getLogger(__name__)

_KNOWN = {s.value for s in Status}


def do_record_status(report: StatusReport) -> bool:
    """Record a status WhatsApp reported for one of our messages, once; False when it
    was already known, is not ours, or is a kind the desk does not track.

    "failed" also fails the message in the core's delivery state machine with
    WhatsApp's words (the agent sees why); statuses may come in any order.
    """
    if report.status not in _KNOWN:
        return False
    part = (
        SentPart.objects.filter(
            wamid=report.wamid,
            message__inbox__whatsapp_config__phone_number_id=report.phone_number_id,
        )
        .select_related("message")
        .first()
    )
    if part is None:
        logger.info("whatsapp: status %s for unknown message %s", report.status, report.wamid)
        return False
    message = part.message
    try:
        with transaction.atomic():
            MessageStatus.objects.create(
                message=message, status=report.status, at=report.at, error=report.error
            )
            ticket = Ticket.objects.select_for_update().get(pk=message.ticket_id)
            events.record(
                WhatsAppStatusChanged(
                    ticket_id=ticket.pk,
                    message_id=message.pk,
                    status=report.status,
                    at=report.at,
                    error=report.error,
                ),
                ticket=ticket,
                actor_id=None,
            )
    except IntegrityError:
        return False  # a redelivered status
    if report.status == Status.FAILED:
        words = report.error or "WhatsApp could not deliver the message"
        do_record_delivery(message.pk, status=DeliveryStatus.FAILED, error=f"WhatsApp: {words}")
    return True


def check_template(ticket: Ticket, template_id: int, values: list[str]) -> WhatsAppTemplate:
    """The active template of the ticket's WhatsApp inbox, with the right number of values."""
    template = WhatsAppTemplate.objects.filter(
        pk=template_id, active=True, config__inbox_id=ticket.inbox_id
    ).first()
    if template is None:
        raise ActionError("no such template for this WhatsApp number")
    if len(values) != template.parameter_count or any(not v.strip() for v in values):
        raise ActionError(f"this template takes {template.parameter_count} value(s), all filled")
    return template


def do_send_template(actor: Actor, ticket_id: int, template_id: int, values: list[str]) -> Message:
    """Queue a reply sent as an approved template (the only kind WhatsApp allows outside
    the 24-hour window). The stored text is the template with its values in."""
    ticket = Ticket.objects.get(pk=ticket_id)
    template = check_template(ticket, template_id, values)
    with transaction.atomic():
        # do_reply checks the actor may reply; the delivery task runs after commit,
        # when the TemplateSend row tells the sender to send a template.
        message = do_reply(actor, ticket_id, template.render([v.strip() for v in values]))
        TemplateSend.objects.create(
            message=message, template=template, parameters=[v.strip() for v in values]
        )
    return message
