"""Every report figure, defined in one place (docs/reports.md explains each with an example).

`conversation_facts` turns one conversation's messages and status changes into
its facts; the summary and time series only add, count and take percentiles of
these facts (or of the hourly rollup built from them).

- first response: the first customer message (inbound, author contact) -> the
  first public agent reply after it (outbound, author agent). Auto-replies
  (author system) and internal notes never count.
- reply time: each wait of the customer, from the first customer message after
  the last agent reply (or the first one) to the next agent reply; the first
  response is the first wait.
- resolution: created -> the last resolve (the last move into resolved or
  closed from an active status), minus the time spent pending (waiting on the
  customer); only for conversations resolved now (a reopened one has none until
  it is resolved again).
- reopened: moves from resolved/closed back to an active status.
- messages in / out: customer messages / public agent replies (no notes, no
  auto-replies).
Each time is given in calendar seconds and in business seconds (the open hours
of the inbox's business-hours calendar, calendar time when it has none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from helpdesk.models import AuthorKind, Direction, TicketStatus
from helpdesk.sla.business_time import Calendar, between

CLOSED = frozenset({TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value})
PAUSED = frozenset({TicketStatus.PENDING.value})

# Names accepted by the time series (GET /api/v1/reports/timeseries?metric=).
COUNT_METRICS = (
    "conversations_created",
    "conversations_resolved",
    "conversations_reopened",
    "messages_in",
    "messages_out",
)
TIME_METRICS = ("first_response_time", "reply_time", "resolution_time")
# A level, not a flow: conversations open at the end of each bucket (reports/backlog.py).
LEVEL_METRICS = ("backlog",)
METRICS = COUNT_METRICS + TIME_METRICS + LEVEL_METRICS


@dataclass(frozen=True, slots=True)
class MessageFact:
    at: datetime
    direction: str
    author_kind: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    at: datetime
    status: str
    previous: str


@dataclass(slots=True)
class Facts:
    first_response_at: datetime | None = None
    first_response_s: float | None = None
    first_response_bs: float | None = None
    reply_count: int = 0
    reply_sum_s: float = 0.0
    reply_sum_bs: float = 0.0
    resolved_at: datetime | None = None
    resolution_s: float | None = None
    resolution_bs: float | None = None
    reopened: int = 0
    messages_in: int = 0
    messages_out: int = 0
    waits: list[tuple[datetime, datetime]] = field(default_factory=list)


def is_customer(m: MessageFact) -> bool:
    return m.direction == Direction.INBOUND and m.author_kind == AuthorKind.CONTACT


def is_agent_reply(m: MessageFact) -> bool:
    return m.direction == Direction.OUTBOUND and m.author_kind == AuthorKind.AGENT


def conversation_facts(
    created_at: datetime,
    status: str,
    messages: Sequence[MessageFact],
    changes: Sequence[StatusChange],
    calendar: Calendar | None,
) -> Facts:
    """The facts of one conversation (see the module's definitions)."""
    f = Facts()
    waiting_from: datetime | None = None
    for m in sorted(messages, key=lambda m: m.at):
        if is_customer(m):
            f.messages_in += 1
            if waiting_from is None:
                waiting_from = m.at
        elif is_agent_reply(m):
            f.messages_out += 1
            if waiting_from is not None:
                f.waits.append((waiting_from, m.at))
                waiting_from = None
    for start, end in f.waits:
        f.reply_count += 1
        f.reply_sum_s += (end - start).total_seconds()
        f.reply_sum_bs += between(calendar, start, end)
    if f.waits:
        start, end = f.waits[0]
        f.first_response_at = end
        f.first_response_s = (end - start).total_seconds()
        f.first_response_bs = between(calendar, start, end)
    ordered = sorted(changes, key=lambda c: c.at)
    last_resolve: datetime | None = None
    for c in ordered:
        if c.status in CLOSED and c.previous not in CLOSED:
            last_resolve = c.at
        elif c.previous in CLOSED and c.status not in CLOSED:
            f.reopened += 1
    if status in CLOSED and last_resolve is not None:
        f.resolved_at = last_resolve
        paused_s, paused_bs = _paused(created_at, last_resolve, status, ordered, calendar)
        f.resolution_s = max(0.0, (last_resolve - created_at).total_seconds() - paused_s)
        f.resolution_bs = max(0.0, between(calendar, created_at, last_resolve) - paused_bs)
    return f


def _paused(
    start: datetime,
    end: datetime,
    status: str,
    changes: Sequence[StatusChange],
    calendar: Calendar | None,
) -> tuple[float, float]:
    """Calendar and business seconds spent pending between `start` and `end`."""
    total_s = total_bs = 0.0
    since: datetime | None = None
    for c in changes:
        if c.status in PAUSED and since is None:
            since = c.at
        elif c.status not in PAUSED and since is not None:
            a, b = max(since, start), min(c.at, end)
            if b > a:
                total_s += (b - a).total_seconds()
                total_bs += between(calendar, a, b)
            since = None
    return total_s, total_bs


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolated percentile (PostgreSQL's percentile_cont), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = p * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def time_stats(values: Sequence[float]) -> dict[str, float | None]:
    """{median_s, p90_s, avg_s} of durations in seconds, rounded to 0.1 s."""

    def r(x: float | None) -> float | None:
        return round(x, 1) if x is not None else None

    avg = sum(values) / len(values) if values else None
    return {
        "median_s": r(percentile(values, 0.5)),
        "p90_s": r(percentile(values, 0.9)),
        "avg_s": r(avg),
    }
