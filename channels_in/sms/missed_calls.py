"""Missed call -> SMS ("we'll call you back").

The automation rules cannot do this: a rule's "automatic reply" goes out on the
ticket's own channel, and a phone ticket's channel cannot carry text. So the SMS
line says which phone inboxes' missed calls it answers, with which text, and
this inbound hook (the same extension point the automation rules use,
helpdesk.ingest.inbound_rules) queues the text when a voice channel stores a
missed inbound call. The call's summary is read from the message's channel_meta
("call": {"direction", "outcome", "call_id"}), which voice channels fill.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from helpdesk import channels, ingest
from helpdesk.automation.placeholders import render
from helpdesk.inbound import InboundMessage

logger = logging.getLogger(__name__)

MISSED = {"missed", "busy"}


def on_inbound(result: ingest.IngestResult, msg: InboundMessage) -> None:
    """After a message is stored: a new missed inbound call gets the SMS line's text."""
    call = msg.meta.get("call")
    if not result.created or not isinstance(call, Mapping):
        return  # the common case, decided without a query
    if call.get("direction") != "in" or call.get("outcome") not in MISSED:
        return
    ticket = result.ticket
    try:
        if not channels.spec_for(ticket.inbox.kind).voice:
            return
    except LookupError:
        return
    from channels_in.sms.actions import do_text_missed_caller
    from channels_in.sms.models import SmsConfig

    config = (
        SmsConfig.objects.filter(missed_call_inboxes=msg.inbox_id, inbox__enabled=True)
        .exclude(missed_call_text="")
        .order_by("pk")
        .first()
    )
    if config is None:
        return
    text = render(config.missed_call_text, ticket)
    sent = do_text_missed_caller(
        ticket.pk, config.inbox_id, text, call_id=call.get("call_id") or msg.external_id
    )
    logger.info("missed call on ticket %s: SMS %s", ticket.pk, "queued" if sent else "declined")


def install() -> None:
    if on_inbound not in ingest.inbound_rules:
        ingest.inbound_rules.append(on_inbound)
