"""The state machine of a ticket's three clocks (first response, next response,
resolution). Functions here change a TicketSla in memory; `refresh` recomputes
what the scheduler looks up (next due time, warning time, status) before a save.

Pausing keeps what is left of a budget (open seconds from the pause to the due
time) and resuming counts it again from the resume, so a ticket waiting on the
customer spends nothing. A policy applied again (priority raised, another team)
keeps what was already spent: what is left is the new budget minus it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from helpdesk.sla import business_time
from helpdesk.sla.models import ClockState, SlaStatus, Target, TicketSla
from helpdesk.sla.policies import Policy, due_soon_seconds

RUNNING = (ClockState.ACTIVE, ClockState.PAUSED, ClockState.BREACHED)
TARGETS = tuple(Target.values)


def state(row: TicketSla, target: str) -> str:
    return str(getattr(row, f"{target}_state"))


def due_at(row: TicketSla, target: str) -> datetime | None:
    value: datetime | None = getattr(row, f"{target}_due_at")
    return value


def _set(row: TicketSla, target: str, **values: object) -> None:
    for name, value in values.items():
        setattr(row, f"{target}_{name}", value)


def start(
    row: TicketSla, target: str, at: datetime, budget: int | None, policy: Policy, paused: bool
) -> None:
    """Run `target` from `at` with the full budget (paused at once when `paused`)."""
    if budget is None:
        _set(row, target, state=ClockState.NONE, due_at=None, budget=None, left=None)
        return
    if paused:
        _set(row, target, state=ClockState.PAUSED, due_at=None, budget=budget, left=float(budget))
        return
    due = business_time.add(policy.calendar, at, budget)
    _set(row, target, state=ClockState.ACTIVE, due_at=due, budget=budget, left=None)


def pause(row: TicketSla, target: str, now: datetime, policy: Policy | None) -> None:
    """A running clock stops spending; what is left of its budget is kept."""
    due = due_at(row, target)
    if state(row, target) != ClockState.ACTIVE or due is None:
        return
    left = business_time.between(policy.calendar if policy else None, now, due)
    _set(row, target, state=ClockState.PAUSED, due_at=None, left=max(left, 0.0))


def resume(row: TicketSla, target: str, now: datetime, policy: Policy | None) -> None:
    """A paused clock runs again with what was left."""
    if state(row, target) != ClockState.PAUSED:
        return
    left = getattr(row, f"{target}_left") or 0.0
    due = business_time.add(policy.calendar if policy else None, now, left)
    _set(row, target, state=ClockState.ACTIVE, due_at=due, left=None)


def meet(row: TicketSla, target: str) -> bool:
    """The target was reached (late, if it had breached: the breach stays recorded)."""
    if state(row, target) not in RUNNING:
        return False
    _set(row, target, state=ClockState.MET, left=None)
    return True


def stop(row: TicketSla, target: str) -> None:
    if state(row, target) in RUNNING:
        _set(row, target, state=ClockState.STOPPED, left=None)


def rebudget(
    row: TicketSla, target: str, now: datetime, old: Policy | None, new: Policy, budget: int | None
) -> None:
    """Apply a new budget to a running or paused clock, keeping what was spent."""
    current = state(row, target)
    if budget is None:
        if current in (ClockState.ACTIVE, ClockState.PAUSED):
            _set(row, target, state=ClockState.NONE, due_at=None, budget=None, left=None)
        return
    spent = float(getattr(row, f"{target}_budget") or 0)
    if current == ClockState.ACTIVE:
        due = due_at(row, target)
        calendar = old.calendar if old else None
        spent -= business_time.between(calendar, now, due) if due else 0.0
        left = budget - spent
        _set(row, target, due_at=business_time.add(new.calendar, now, left), budget=budget)
    elif current == ClockState.PAUSED:
        spent -= float(getattr(row, f"{target}_left") or 0)
        _set(row, target, left=max(budget - spent, 0.0), budget=budget)


def refresh(row: TicketSla, now: datetime) -> None:
    """Next due time, warning time and status from the clocks."""
    previous = row.next_due_at
    running = [d for t in TARGETS if state(row, t) == ClockState.ACTIVE and (d := due_at(row, t))]
    row.next_due_at = min(running) if running else None
    late = [d for t in TARGETS if state(row, t) == ClockState.BREACHED and (d := due_at(row, t))]
    row.sort_due_at = min(late or running) if (late or running) else None
    if row.next_due_at is None:
        row.warn_at = None
    elif row.next_due_at != previous:
        row.warn_at = row.next_due_at - timedelta(seconds=due_soon_seconds())
    states = {state(row, t) for t in TARGETS}
    if row.policy_id is None and not states - {ClockState.NONE}:
        row.status = SlaStatus.NONE
    elif ClockState.BREACHED in states:
        row.status = SlaStatus.BREACHED
    elif ClockState.PAUSED in states:
        row.status = SlaStatus.PAUSED
    elif ClockState.ACTIVE in states:
        row.status = SlaStatus.ACTIVE
    elif ClockState.MET in states:
        row.status = SlaStatus.MET
    else:
        row.status = SlaStatus.NONE


def next_target(row: TicketSla) -> str | None:
    """The target whose due time is `next_due_at`."""
    for t in TARGETS:
        if state(row, t) == ClockState.ACTIVE and due_at(row, t) == row.next_due_at:
            return t
    return None


def breach_due(row: TicketSla, now: datetime) -> list[tuple[str, datetime]]:
    """Mark every running target whose due time has passed as breached."""
    breached = []
    for t in TARGETS:
        due = due_at(row, t)
        if state(row, t) == ClockState.ACTIVE and due is not None and due <= now:
            _set(row, t, state=ClockState.BREACHED)
            row.breaches = [*row.breaches, {"target": t, "at": due.isoformat()}]
            breached.append((t, due))
    return breached


FIELDS = [
    "policy",
    "policy_name",
    "status",
    "next_due_at",
    "sort_due_at",
    "warn_at",
    "breaches",
    "unassigned_since",
    "waiting_since",
    "pending_since",
    *(f"{t}_{f}" for t in TARGETS for f in ("state", "due_at", "budget", "left")),
]
