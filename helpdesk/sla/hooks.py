"""Where the clocks follow the ticket: a hook on every recorded event.

It runs inside the transaction of the action that recorded the event, after the
event-sequence lock (helpdesk.events.recorded_hooks). The lock order says no new
row lock after that lock; this hook writes the ticket's TicketSla row, which is
safe because every writer of that row holds the ticket's own row lock first (the
actions do, and so does the scheduler), so nobody can hold it while waiting for us.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk import events
from helpdesk.models import Direction, Ticket, TicketEvent, TicketStatus
from helpdesk.sla import clocks, policies
from helpdesk.sla.event_schemas import SlaApplied
from helpdesk.sla.models import ClockState, Target, TicketSla

CONDITION_EVENTS = {
    "ticket.priority_changed": "priority",
    "ticket.team_changed": "team",
    "ticket.tags_changed": "tags",
    "ticket.attributes_changed": "attributes",  # the rule editor's "ticket attribute"
}
CLOSED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
FR, NR, RES = Target.FIRST_RESPONSE.value, Target.NEXT_RESPONSE.value, Target.RESOLUTION.value


def _ticket(ticket_id: int) -> Ticket | None:
    return Ticket.objects.select_related("inbox", "contact").filter(pk=ticket_id).first()


def on_event(event: TicketEvent) -> None:
    """Move the clocks of the event's ticket."""
    if event.ticket_id is None or event.type.startswith(("sla.", "automation.")):
        return
    if not policies.tracking():
        return
    kind = event.type
    if kind == "ticket.created":
        ticket = _ticket(event.ticket_id)
        if ticket is not None and not TicketSla.objects.filter(pk=ticket.pk).exists():
            _create(ticket, event.created_at)
    elif kind == "message.created":
        _on_message(event.ticket_id, event.payload)
    elif kind == "ticket.status_changed":
        _on_status(event.ticket_id, event.payload, event.created_at)
    elif kind == "ticket.assigned":
        _on_assigned(event.ticket_id, event.payload, event.created_at)
    elif kind in CONDITION_EVENTS:
        reapply(event.ticket_id, event.created_at, CONDITION_EVENTS[kind])
    elif kind == "ticket.merged" and event.payload.get("merged_into") == event.ticket_id:
        _on_merged(int(event.payload["ticket_id"]), event.ticket_id, event.created_at)


def _save(row: TicketSla, now: datetime, *, created: bool = False) -> None:
    clocks.refresh(row, now)
    if created:
        row.save(force_insert=True)
    else:
        row.save(update_fields=clocks.FIELDS)


def _applied(ticket: Ticket, row: TicketSla, previous: str | None, reason: str) -> None:
    applied = SlaApplied(
        ticket_id=ticket.pk,
        policy=row.policy_name or None,
        previous_policy=previous,
        reason=reason,
        first_response_due_at=clocks.due_at(row, FR),
        next_response_due_at=clocks.due_at(row, NR),
        resolution_due_at=clocks.due_at(row, RES),
    )
    events.record(applied, ticket=ticket, actor_id=None)


def _create(ticket: Ticket, now: datetime) -> TicketSla:
    """The ticket's row, with the policy that covers it now and its clocks started."""
    row = TicketSla(ticket=ticket)
    active = ticket.status in TicketStatus.active()
    if active and ticket.assignee_id is None:
        row.unassigned_since = now
    if ticket.status == TicketStatus.PENDING:
        row.pending_since = now
    policy = policies.select(ticket) if active else None
    if policy is not None:
        row.policy_id, row.policy_name = policy.id, policy.name
        paused = ticket.status in policy.pause
        for target in (FR, RES):
            budget = policy.budget(ticket.priority, target)
            clocks.start(row, target, ticket.created_at or now, budget, policy, paused)
        if ticket.first_response_at is not None:  # a ticket tracked after its answer
            clocks.meet(row, FR)
            last_in, last_out = ticket.last_customer_message_at, ticket.last_agent_message_at
            if last_in and last_out and last_out < last_in:
                budget = policy.budget(ticket.priority, NR)
                clocks.start(row, NR, last_in, budget, policy, paused)
    _save(row, now, created=True)
    if policy is not None:
        _applied(ticket, row, None, "created")
    return row


def _row(ticket_id: int) -> tuple[Ticket, TicketSla] | None:
    """The ticket and its row; tickets from before the SLA app get one now."""
    row = TicketSla.objects.filter(pk=ticket_id).first()
    ticket = _ticket(ticket_id)
    if ticket is None:
        return None
    if row is None:
        row = _create(ticket, ticket.updated_at)
    return ticket, row


def _on_message(ticket_id: int, data: dict[str, Any]) -> None:
    direction, author = data.get("direction"), data.get("author_kind")
    # Auto-replies (author "system") and internal notes never count as a response.
    customer = direction == Direction.INBOUND and author == "contact"
    agent_reply = direction == Direction.OUTBOUND and author == "agent"
    if not (customer or agent_reply):
        return
    found = _row(ticket_id)
    if found is None:
        return
    ticket, row = found
    at = datetime.fromisoformat(data["created_at"]) if data.get("created_at") else ticket.updated_at
    if agent_reply:
        row.waiting_since = None
        clocks.meet(row, FR)
        clocks.meet(row, NR)
    else:
        row.waiting_since = row.waiting_since or at
        row.pending_since = None
        policy = policies.by_id(row.policy_id)
        waiting_first = clocks.state(row, FR) in clocks.RUNNING
        idle = clocks.state(row, NR) not in clocks.RUNNING
        if policy and not waiting_first and idle and ticket.status in TicketStatus.active():
            budget = policy.budget(ticket.priority, NR)
            clocks.start(row, NR, at, budget, policy, ticket.status in policy.pause)
    _save(row, at)


def _on_status(ticket_id: int, data: dict[str, Any], now: datetime) -> None:
    found = _row(ticket_id)
    if found is None:
        return
    ticket, row = found
    status, previous = data.get("status"), data.get("previous_status")
    policy = policies.by_id(row.policy_id)
    pause = policies.pause_statuses(policy)
    if status in CLOSED:
        clocks.meet(row, RES)
        clocks.stop(row, FR)
        clocks.stop(row, NR)
        row.unassigned_since = row.waiting_since = row.pending_since = None
    elif previous in CLOSED:
        _reopen(ticket, row, now, policy)
    elif status in pause:
        for target in clocks.TARGETS:
            clocks.pause(row, target, now, policy)
    else:
        for target in clocks.TARGETS:
            clocks.resume(row, target, now, policy)
    if status == TicketStatus.PENDING:
        row.pending_since = row.pending_since or now
    else:
        row.pending_since = None
    _save(row, now)


def _reopen(ticket: Ticket, row: TicketSla, now: datetime, policy: policies.Policy | None) -> None:
    """A reopened ticket runs its next-response clock again, and resolution anew."""
    if ticket.assignee_id is None:
        row.unassigned_since = now
    last_in, last_out = ticket.last_customer_message_at, ticket.last_agent_message_at
    if last_in and (last_out is None or last_out < last_in):
        row.waiting_since = row.waiting_since or now
    if policy is None:
        return
    paused = ticket.status in policy.pause
    for target in (NR, RES):
        clocks.start(row, target, now, policy.budget(ticket.priority, target), policy, paused)


def _on_assigned(ticket_id: int, data: dict[str, Any], now: datetime) -> None:
    found = _row(ticket_id)
    if found is None:
        return
    ticket, row = found
    if data.get("assignee_id"):
        row.unassigned_since = None
    elif ticket.status in TicketStatus.active():
        row.unassigned_since = row.unassigned_since or now
    _save(row, now)


def reapply(ticket_id: int, now: datetime, reason: str) -> bool:
    """Conditions changed: the policy that covers the ticket now, keeping time spent.
    Returns whether the policy or its budgets changed (an `sla.applied` event). The
    caller holds the ticket's row lock."""
    found = _row(ticket_id)
    if found is None:
        return False
    ticket, row = found
    if ticket.status not in TicketStatus.active():
        return False
    old = policies.by_id(row.policy_id)
    new = policies.select(ticket)
    unchanged = all(
        getattr(row, f"{t}_budget") == (new.budget(ticket.priority, t) if new else None)
        for t in clocks.TARGETS
    )
    if (new.id if new else None) == row.policy_id and unchanged:
        return False
    previous, before = row.policy_name or None, _budgets(row)
    if new is None:
        for target in clocks.TARGETS:
            clocks.rebudget(row, target, now, old, _NO_POLICY, None)
        row.policy_id, row.policy_name = None, ""
    else:
        row.policy_id, row.policy_name = new.id, new.name
        for target in clocks.TARGETS:
            budget = new.budget(ticket.priority, target)
            if clocks.state(row, target) == ClockState.NONE:
                _start_late(ticket, row, target, now, new, budget)
            else:
                clocks.rebudget(row, target, now, old, new, budget)
    if _budgets(row) == before:  # same policy; only targets that are not running differ
        return False
    _save(row, now)
    _applied(ticket, row, previous, reason)
    return True


_NO_POLICY = policies.Policy(0, "", (), None, frozenset(), {})


def _budgets(row: TicketSla) -> tuple[object, ...]:
    """The policy and what each clock runs on: what an `sla.applied` event is about."""
    per_target = ((getattr(row, f"{t}_state"), getattr(row, f"{t}_budget")) for t in clocks.TARGETS)
    return (row.policy_id, *per_target)


def _start_late(
    ticket: Ticket,
    row: TicketSla,
    target: str,
    now: datetime,
    policy: policies.Policy,
    budget: int | None,
) -> None:
    """A target the old policy did not track starts from when it would have."""
    anchor: datetime | None = None
    if (target == FR and ticket.first_response_at is None) or target == RES:
        anchor = ticket.created_at
    elif target == NR and row.waiting_since and clocks.state(row, FR) not in clocks.RUNNING:
        anchor = row.waiting_since
    if anchor is not None and budget is not None:
        # A due time already past is breached by the scheduler's next tick.
        clocks.start(row, target, anchor, budget, policy, ticket.status in policy.pause)


def _on_merged(source_id: int, target_id: int, now: datetime) -> None:
    """The surviving ticket keeps the earliest of each clock; the merged one stops."""
    source = TicketSla.objects.filter(pk=source_id).first()
    found = _row(target_id)
    if source is None or found is None:
        return
    _ticket_obj, row = found
    for target in clocks.TARGETS:
        theirs, ours = clocks.due_at(source, target), clocks.due_at(row, target)
        running = clocks.state(source, target) in (ClockState.ACTIVE, ClockState.BREACHED)
        if (
            running
            and theirs
            and (ours is None or theirs < ours or clocks.state(row, target) not in clocks.RUNNING)
        ):
            for field in ("state", "due_at", "budget", "left"):
                setattr(row, f"{target}_{field}", getattr(source, f"{target}_{field}"))
        clocks.stop(source, target)
    row.breaches = [*row.breaches, *source.breaches]
    for name in ("unassigned_since", "waiting_since"):
        mine, theirs_at = getattr(row, name), getattr(source, name)
        if mine and theirs_at:
            setattr(row, name, min(mine, theirs_at))
    source.unassigned_since = source.waiting_since = source.pending_since = None
    _save(source, now)
    _save(row, now)


def track_open_tickets(now: datetime) -> int:
    """Give every active ticket without clocks its row (after the first policy is created,
    or for tickets from before the SLA app); returns how many. Each under its ticket lock."""
    from django.db import transaction

    missing = Ticket.objects.filter(status__in=TicketStatus.active(), sla__isnull=True)
    done = 0
    for ticket_id in list(missing.values_list("id", flat=True)):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
            if ticket is None or TicketSla.objects.filter(pk=ticket_id).exists():
                continue
            _create(_ticket(ticket_id) or ticket, now)
            done += 1
    return done


def install() -> None:
    if on_event not in events.recorded_hooks:
        events.recorded_hooks.append(on_event)
