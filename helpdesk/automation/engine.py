"""Runs rules in order when their trigger happens; a rule cannot trigger rules."""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from helpdesk.automation import conditions, config_cache, rule_actions
from helpdesk.automation.actor import system_actor
from helpdesk.models import Message, Rule, RuleRun, Ticket

logger = logging.getLogger(__name__)

# Set while rules run: what their actions cause does not run rules again, so a
# rule that sets a status cannot fire a "status changed" rule that sets it back.
_running = contextvars.ContextVar("automation_running", default=False)


@dataclass
class DryRun:
    rule: str
    matches: bool
    conditions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def is_running() -> bool:
    return _running.get()


def _ticket(ticket_id: int) -> Ticket:
    return Ticket.objects.select_related("contact", "inbox", "assignee").get(pk=ticket_id)


def run_rules(
    trigger: str,
    ticket_id: int,
    message: Message | None = None,
    *,
    anchor: Any = None,
    only: Rule | None = None,
) -> list[str]:
    """Run the enabled rules of `trigger` (or just `only`) on the ticket, in order.

    Returns the names of the rules that fired.
    """
    if _running.get():
        return []
    token = _running.set(True)
    fired: list[str] = []
    try:
        rules = [only] if only is not None else config_cache.rules_for(trigger)
        if not rules:
            return fired
        actor = system_actor()
        for rule in rules:
            if _apply(rule, ticket_id, message, actor, anchor):
                fired.append(rule.name)
                if rule.stop_processing:
                    break
    finally:
        _running.reset(token)
    return fired


def _apply(rule: Rule, ticket_id: int, message: Message | None, actor: Any, anchor: Any) -> bool:
    ctx = conditions.Context(ticket=_ticket(ticket_id), message=message)
    try:
        if not conditions.matches(rule, ctx):
            return False
    except (KeyError, TypeError, ValueError):
        logger.warning("rule %s has a condition it cannot evaluate", rule.pk)
        return False
    for action in rule.actions:
        try:
            with transaction.atomic():  # a failing action leaves the others and the ingest intact
                rule_actions.run(action, _ticket(ticket_id), message, actor)
        except Exception:
            logger.exception("rule %s action %s failed on ticket %s", rule.pk, action, ticket_id)
    RuleRun.objects.create(rule=rule, ticket_id=ticket_id, trigger=rule.trigger, anchor=anchor)
    return True


def dry_run(rule: Rule, ticket: Ticket, message: Message | None = None) -> DryRun:
    """What the rule would do on the ticket now, changing nothing."""
    if message is None:
        message = ticket.messages.filter(direction="inbound").order_by("-id").first()
    ctx = conditions.Context(ticket=_ticket(ticket.pk), message=message)
    explained = conditions.explain(rule.conditions, ctx)
    matches = conditions.matches(rule, ctx)
    return DryRun(
        rule=rule.name,
        matches=matches,
        conditions=[{**c, "holds": ok} for c, ok in explained],
        actions=[rule_actions.describe(a) for a in rule.actions] if matches else [],
    )
