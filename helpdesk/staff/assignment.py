"""Automatic assignment of new tickets, per team (off / round robin / least open).

Runs as an ingest rule inside the ingest transaction, so the ticket is assigned
before anyone sees it unassigned. Only agents marked online are candidates, and
an agent at their cap (their own `max_open_tickets`, else the team policy's)
gets nothing more. The assignment itself is `do_assign` by the automation user
(the system actor), so there is one way to assign a ticket.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save

from helpdesk.actions.tickets import do_assign
from helpdesk.automation import config_cache
from helpdesk.automation.actor import system_actor
from helpdesk.inbound import InboundMessage
from helpdesk.ingest import IngestResult
from helpdesk.models import Agent, AssignmentMode, AssignmentPolicy, Presence, TicketStatus


def candidates(policy: AssignmentPolicy) -> list[tuple[int, int]]:
    """(user id, open tickets) of the team's online agents below their cap, by user id."""
    agents = (
        Agent.objects.filter(teams=policy.team_id, presence=Presence.ONLINE, user__is_active=True)
        .annotate(
            open_count=Count(
                "user__assigned_tickets",
                filter=Q(user__assigned_tickets__status__in=TicketStatus.active()),
            )
        )
        .order_by("user_id")
    )
    result = []
    for agent in agents:
        cap = agent.max_open_tickets or policy.max_open_per_agent
        if cap is None or agent.open_count < cap:
            result.append((agent.user_id, agent.open_count))
    return result


def choose(policy: AssignmentPolicy, pool: list[tuple[int, int]]) -> int | None:
    """The user id the policy picks from `pool` (sorted by user id)."""
    if not pool:
        return None
    if policy.mode == AssignmentMode.LEAST_OPEN:
        return min(pool, key=lambda item: (item[1], item[0]))[0]
    last = policy.last_assigned_id or 0
    after = [uid for uid, _count in pool if uid > last]
    return after[0] if after else pool[0][0]


def auto_assign(ticket_id: int, team_id: int) -> int | None:
    """Assign the ticket by its team's policy; returns the chosen user id, if any."""
    with transaction.atomic():
        # Locking the policy row serializes concurrent new tickets of one team,
        # so round robin and caps see each other's choices.
        policy = AssignmentPolicy.objects.select_for_update().filter(team_id=team_id).first()
        if policy is None or policy.mode == AssignmentMode.OFF:
            return None
        chosen = choose(policy, candidates(policy))
        if chosen is None:
            return None
        do_assign(system_actor(), ticket_id, chosen)
        policy.last_assigned_id = chosen
        policy.save(update_fields=["last_assigned"])
        return chosen


def teams_with_a_policy() -> set[int]:
    """Teams whose policy assigns (read once per few seconds; saves clear it at once)."""
    found: set[int] = config_cache.cached(
        ("assignment-teams", None),
        lambda: set(
            AssignmentPolicy.objects.exclude(mode=AssignmentMode.OFF).values_list(
                "team_id", flat=True
            )
        ),
    )
    return found


def assignment_rule(result: IngestResult, _msg: InboundMessage) -> None:
    """Ingest rule: new, unassigned tickets of a team go through its policy."""
    ticket = result.ticket
    if not result.ticket_created or ticket.assignee_id or ticket.team_id is None:
        return
    if ticket.team_id not in teams_with_a_policy():
        return
    auto_assign(ticket.pk, ticket.team_id)


def install(rules: list[Any]) -> None:
    """Register the rule once (AppConfig.ready may run more than once in tests)."""
    if assignment_rule not in rules:
        rules.append(assignment_rule)
    for signal in (post_save, post_delete):
        signal.connect(config_cache.clear, sender=AssignmentPolicy, dispatch_uid=f"assign-{signal}")
