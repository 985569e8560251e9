"""Scheduled work: snoozed tickets waking up, the "no reply for N hours" rules, and
replies whose delivery task was lost in a crash.

Runs once a minute inside `manage.py listen` (and the run command). Several
listener processes may run it; a cache lock lets one at a time do a round, and
every step is idempotent anyway (RuleRun anchors, status checks under locks).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone

from helpdesk.actions.errors import ActionError
from helpdesk.actions.tickets import do_set_status
from helpdesk.automation import engine
from helpdesk.automation.actor import system_actor
from helpdesk.followups.reminders import send_due_reminders
from helpdesk.models import IdempotentRequest, Rule, RuleRun, Ticket, TicketStatus, Trigger
from helpdesk.outbound_webhooks import dispatch as webhooks
from helpdesk.sla import scheduler as sla_scheduler
from helpdesk.sla import timerules
from helpdesk.tasks import requeue_stranded

logger = logging.getLogger(__name__)

BATCH = 500
INTERVAL_SECONDS = 60
LOCK_KEY = "helpdesk:scheduler:lock"


def wake_snoozed(now: datetime) -> int:
    """Snoozed tickets whose time has come are open again."""
    due = Ticket.objects.filter(status=TicketStatus.SNOOZED, snoozed_until__lte=now)
    actor = system_actor()
    woken = 0
    for ticket_id in due.values_list("id", flat=True)[:BATCH]:
        try:
            do_set_status(actor, ticket_id, TicketStatus.OPEN)
            woken += 1
        except ActionError:
            logger.exception("could not wake ticket %s", ticket_id)
    return woken


def _silence(rule: Rule, now: datetime) -> list[tuple[int, datetime]]:
    cutoff = now - timedelta(hours=rule.hours)
    if rule.trigger == Trigger.NO_CUSTOMER_REPLY:
        waiting = Ticket.objects.filter(
            status__in=TicketStatus.active(), last_agent_message_at__lte=cutoff
        ).filter(
            Q(last_customer_message_at__isnull=True)
            | Q(last_customer_message_at__lt=F("last_agent_message_at"))
        )
        field = "last_agent_message_at"
    else:
        waiting = Ticket.objects.filter(
            status__in=TicketStatus.active(), last_customer_message_at__lte=cutoff
        ).filter(
            Q(last_agent_message_at__isnull=True)
            | Q(last_agent_message_at__lt=F("last_customer_message_at"))
        )
        field = "last_customer_message_at"
    return list(waiting.order_by(field).values_list("id", field)[:BATCH])


def run_time_rules(now: datetime) -> int:
    """Fire each time rule once per silence (the message it waited after is the anchor)."""
    fired = 0
    time_triggers = [Trigger.NO_CUSTOMER_REPLY, Trigger.NO_AGENT_REPLY]
    for rule in Rule.objects.filter(enabled=True, trigger__in=time_triggers):
        for ticket_id, anchor in _silence(rule, now):
            if RuleRun.objects.filter(rule=rule, ticket_id=ticket_id, anchor=anchor).exists():
                continue
            if engine.run_rules(rule.trigger, ticket_id, anchor=anchor, only=rule):
                fired += 1
            else:
                # Conditions did not hold: remember it, so we don't re-check every minute.
                RuleRun.objects.create(rule=rule, ticket_id=ticket_id, trigger="", anchor=anchor)
    return fired


def run_due_work(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "woken": wake_snoozed(now),
        "rules": run_time_rules(now),
        "requeued": requeue_stranded(now),
        "idempotency_keys_forgotten": IdempotentRequest.forget_expired(now),
        **_surveys(now),
        "time_rules": timerules.run_time_rules(now),
        "task_reminders": send_due_reminders(now),
        "webhooks_requeued": webhooks.scheduled(now),
        **_reports(now),
    }


def _surveys(now: datetime) -> dict[str, int]:
    """CSAT requests whose task was lost, and NPS campaigns whose time has come."""
    from helpdesk.surveys.delivery import send_due
    from helpdesk.surveys.nps import run_due_campaigns

    return {"surveys_sent": send_due(now), "nps_campaigns": run_due_campaigns(now)}


def _reports(now: datetime) -> dict[str, int]:
    """Presence spans of dead processes closed, weekly reports mailed to team leads."""
    from helpdesk.reports.scheduled import run

    return run(now)


class Scheduler:
    """A listener (see helpdesk.channels) running the scheduled work every minute."""

    name = "scheduler"

    def run(self, stop: threading.Event) -> None:
        next_round = 0.0
        while not stop.is_set():
            # SLA breaches are due to the second (docs/sla.md): an index probe each tick.
            self._sla_tick()
            if time.monotonic() >= next_round:
                next_round = time.monotonic() + INTERVAL_SECONDS
                self._round()
            stop.wait(sla_scheduler.TICK_SECONDS)

    def _sla_tick(self) -> None:
        try:
            done = sla_scheduler.tick()
            if any(done.values()):
                logger.info("SLA clocks: %s", done)
        except Exception:
            logger.exception("SLA tick failed; trying again next tick")
            close_old_connections()

    def _round(self) -> None:
        if cache.add(LOCK_KEY, "1", timeout=INTERVAL_SECONDS - 5):
            try:
                done = run_due_work()
                if any(done.values()):
                    logger.info("scheduled work: %s", done)
            except Exception:
                logger.exception("scheduled work failed; trying again next round")
            finally:
                close_old_connections()
