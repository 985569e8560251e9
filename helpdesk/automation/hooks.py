"""Where automation plugs into the ingest path and the event stream."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from helpdesk import events, ingest
from helpdesk.actions.automatic import do_send_automatic
from helpdesk.automation import config_cache, engine
from helpdesk.automation.hours import is_open
from helpdesk.automation.placeholders import pick_language, render
from helpdesk.automation.rule_actions import articles_message
from helpdesk.inbound import InboundMessage
from helpdesk.models import (
    AuthorKind,
    Direction,
    Message,
    Ticket,
    TicketEvent,
    Trigger,
)

OUT_OF_OFFICE_QUIET_HOURS = 12


def on_inbound(result: ingest.IngestResult, msg: InboundMessage) -> None:
    """After a customer message is stored: built-in answers, then rules."""
    if not result.created:
        return
    ticket = result.ticket
    if not msg.auto_generated:
        _inbox_answers(ticket, result.message, result.ticket_created)
    if result.ticket_created:
        engine.run_rules(Trigger.TICKET_CREATED, ticket.pk, result.message)
    engine.run_rules(Trigger.CUSTOMER_MESSAGE, ticket.pk, result.message)


def _inbox_answers(ticket: Ticket, message: Message, created: bool) -> None:
    auto = config_cache.inbox_automation(ticket.inbox_id)
    if auto is None:
        return
    cap = auto.max_automatic_per_hour
    language = ticket.contact.language
    closed = auto.business_hours is not None and not is_open(auto.business_hours, timezone.now())
    if closed and auto.out_of_office and not _recent(ticket, "out_of_office"):
        text = render(pick_language(auto.out_of_office, language), ticket)
        do_send_automatic(ticket.pk, text, reason="out_of_office", cap_per_hour=cap)
    elif created and auto.acknowledge and auto.acknowledgement:
        text = render(pick_language(auto.acknowledgement, language), ticket)
        do_send_automatic(ticket.pk, text, reason="acknowledgement", cap_per_hour=cap)
    if created and auto.suggest_articles:
        found = articles_message(ticket, message.text or ticket.subject, auto.suggestion_threshold)
        if found:
            do_send_automatic(ticket.pk, found, reason="articles", cap_per_hour=cap)


def _recent(ticket: Ticket, reason: str) -> bool:
    since = timezone.now() - timedelta(hours=OUT_OF_OFFICE_QUIET_HOURS)
    return Message.objects.filter(
        ticket=ticket,
        author_kind=AuthorKind.SYSTEM,
        created_at__gte=since,
        channel_meta__reason=reason,
    ).exists()


def on_event(event: TicketEvent) -> None:
    """Agent replies and status changes trigger their rules (not those caused by rules)."""
    if event.ticket_id is None or engine.is_running():
        return
    if event.type == "message.created":
        data = event.payload
        replied = data.get("direction") == Direction.OUTBOUND and data.get("author_kind") == "agent"
        # Every agent reply passes here: fetch the message only when a rule wants it.
        if replied and config_cache.rules_for(Trigger.AGENT_REPLIED):
            message = Message.objects.filter(pk=data["message_id"]).first()
            engine.run_rules(Trigger.AGENT_REPLIED, event.ticket_id, message)
    elif event.type == "ticket.status_changed":
        engine.run_rules(Trigger.STATUS_CHANGED, event.ticket_id)
    elif event.type == "survey.answered":
        engine.run_rules(Trigger.SURVEY_ANSWERED, event.ticket_id)


def install() -> None:
    if on_inbound not in ingest.inbound_rules:
        ingest.inbound_rules.append(on_inbound)
    if on_event not in events.recorded_hooks:
        events.recorded_hooks.append(on_event)
