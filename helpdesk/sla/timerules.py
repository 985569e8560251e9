"""Time rules: "unassigned for N minutes", "customer waiting for N minutes", "SLA target
due in N minutes / breached", "pending with no customer reply for N days".

Each rule fires once per ticket state: the moment the state began (the anchor:
when the ticket became unassigned, when the customer started waiting, a due time)
is stored with the run, under a unique constraint. Each round looks only at
anchors newer than what the rule already looked at (`checked_until`), through
partial indexes, so its cost follows what became due. Counted in business hours
when the rule names a calendar.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.automation import conditions
from helpdesk.automation.actor import system_actor
from helpdesk.models import Ticket, TicketStatus
from helpdesk.sla import business_time, rule_actions
from helpdesk.sla.business_time import Calendar
from helpdesk.sla.event_schemas import TimeRuleFired
from helpdesk.sla.models import TicketSla, TimeRule, TimeRuleRun, TimeTrigger

logger = logging.getLogger(__name__)

BATCH = 500
ANCHORS = {
    TimeTrigger.UNASSIGNED: "unassigned_since",
    TimeTrigger.CUSTOMER_WAITING: "waiting_since",
    TimeTrigger.PENDING_NO_REPLY: "pending_since",
    TimeTrigger.SLA_DUE: "next_due_at",
}


def _cutoff(rule: TimeRule, now: datetime) -> datetime:
    """Anchors at or before this have waited long enough (ahead of now for due times)."""
    if rule.trigger == TimeTrigger.SLA_DUE:
        return now + timedelta(minutes=rule.amount)
    seconds = rule.amount * (86400 if rule.trigger == TimeTrigger.PENDING_NO_REPLY else 60)
    calendar = Calendar.of(rule.business_hours) if rule.business_hours else None
    return business_time.subtract(calendar, now, seconds)


def fire(rule: TimeRule, ticket_id: int, anchor: datetime) -> bool:
    """Run the rule's actions on the ticket once for `anchor`; False when it ran before
    or its conditions do not hold (remembered too, so it is not checked again)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = TimeRuleRun.objects.create(rule=rule, ticket_id=ticket_id, anchor=anchor)
        except IntegrityError:
            return False
        ticket = Ticket.objects.select_related("inbox", "contact").filter(pk=ticket_id).first()
        if ticket is None or ticket.status not in TicketStatus.active():
            run.fired = False
            run.save(update_fields=["fired"])
            return False
        ctx = conditions.Context(ticket=ticket, message=None)
        try:
            holds = all(conditions.holds(c, ctx) for c in rule.conditions or [])
        except (KeyError, TypeError, ValueError):
            holds = False
        if not holds:
            run.fired = False
            run.save(update_fields=["fired"])
            return False
        actor = system_actor()
        for action in rule.actions:
            try:
                with transaction.atomic():  # a failing action leaves the others intact
                    fresh = Ticket.objects.select_related("inbox", "contact").get(pk=ticket_id)
                    rule_actions.run(action, fresh, actor, rule.name)
            except Exception:
                logger.exception("time rule %s action %s failed on %s", rule.pk, action, ticket_id)
        locked = Ticket.objects.select_for_update().get(pk=ticket_id)
        fired = TimeRuleFired(
            ticket_id=ticket_id,
            rule_id=rule.pk,
            rule=rule.name,
            trigger=rule.trigger,
            actions=[rule_actions.describe(a) for a in rule.actions],
        )
        events.record(fired, ticket=locked, actor_id=None)
    return True


def run_rule(rule: TimeRule, now: datetime) -> int:
    """One round of one rule: the anchors that came due since its last round."""
    field = ANCHORS[TimeTrigger(rule.trigger)]
    cutoff = _cutoff(rule, now)
    lower = rule.checked_until
    if rule.trigger == TimeTrigger.SLA_DUE:
        # Due times move (a new ticket's may fall inside the window already looked at):
        # look at the whole window each round; past ones are breaches, not "due soon".
        lower = now
    rows = TicketSla.objects.filter(**{f"{field}__lte": cutoff})
    if lower is not None:
        rows = rows.filter(**{f"{field}__gte": lower})
    found = list(rows.order_by(field).values_list("ticket_id", field)[:BATCH])
    fired = 0
    for ticket_id, anchor in found:
        fired += fire(rule, ticket_id, anchor)
    # A full batch goes on from its last anchor next round (ties are caught by the runs).
    rule.checked_until = found[-1][1] if len(found) == BATCH else cutoff
    TimeRule.objects.filter(pk=rule.pk).update(checked_until=rule.checked_until)
    return fired


def run_time_rules(now: datetime | None = None) -> int:
    """Every enabled time rule once (the scheduler calls this every minute)."""
    now = now or timezone.now()
    fired = 0
    rules = TimeRule.objects.filter(enabled=True).exclude(trigger=TimeTrigger.SLA_BREACHED)
    for rule in rules.select_related("business_hours"):
        fired += run_rule(rule, now)
    return fired


def on_breach(ticket_id: int, target: str, due_at: datetime) -> int:
    """The "SLA target breached" rules, right after the scheduler recorded a breach."""
    fired = 0
    for rule in TimeRule.objects.filter(enabled=True, trigger=TimeTrigger.SLA_BREACHED):
        fired += fire(rule, ticket_id, due_at)
    return fired
