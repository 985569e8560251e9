"""Log-spaced duration buckets: approximate medians and p90 with a bounded error.

A duration v >= 1 s falls in bucket 1 + floor(log(v) / log(GAMMA)), that is
[GAMMA^(b-1), GAMMA^b); the bucket stands for the value 2 GAMMA L / (1 + GAMMA)
(L its lower bound), which is within (GAMMA - 1) / (GAMMA + 1) < 1 % of every
value in it. Durations under one second fall in bucket 0 and stand for 0 s.
A percentile interpolated between two such values (like percentile_cont) is then
within the same relative error of the exact one (the interpolation of two values
each within 1 % is within 1 % of the interpolation).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

GAMMA = 1.02
RELATIVE_ERROR = (GAMMA - 1) / (GAMMA + 1)  # 0.0099
_LOG_GAMMA = math.log(GAMMA)


def bucket_of(seconds: float) -> int:
    """The bucket of a duration (negative ones, which do not happen, count as 0 s)."""
    if seconds < 1:
        return 0
    return 1 + int(math.log(seconds) / _LOG_GAMMA)


def value_of(bucket: int) -> float:
    """The value a bucket stands for."""
    if bucket <= 0:
        return 0.0
    low = GAMMA ** (bucket - 1)
    return 2 * GAMMA * low / (1 + GAMMA)


def percentile(counts: Mapping[int, int], p: float) -> float | None:
    """percentile_cont(p) of the values counted per bucket, each at its bucket's value."""
    total = sum(n for n in counts.values() if n > 0)
    if total <= 0:
        return None
    rank = p * (total - 1)
    low = int(rank)
    high = min(low + 1, total - 1)
    at_low = at_high = None
    seen = 0
    for bucket in sorted(b for b, n in counts.items() if n > 0):
        seen += counts[bucket]
        if at_low is None and low < seen:
            at_low = value_of(bucket)
        if high < seen:
            at_high = value_of(bucket)
            break
    assert at_low is not None and at_high is not None  # noqa: S101 - ranks < total
    return at_low + (at_high - at_low) * (rank - low)


def add(counts: dict[int, int], values: Iterable[float]) -> None:
    """Count exact values into the buckets (the edges of a period, read from the facts)."""
    for v in values:
        b = bucket_of(float(v))
        counts[b] = counts.get(b, 0) + 1


# The histogram's rows: the desk per UTC day, a team or an agent per UTC week (Monday).
GRANULE_DAYS = {"a": 1, "t": 7, "g": 7}


def granule_of(scope: str, moment: datetime) -> date:
    """The first UTC date of the granule (day or week) holding `moment`."""
    day, week = day_and_week(moment)
    return week if GRANULE_DAYS[scope] == 7 else day


def day_and_week(moment: datetime) -> tuple[date, date]:
    """The moment's UTC date and the Monday of its UTC week."""
    day = moment.astimezone(UTC).date()
    return day, day - timedelta(days=day.weekday())


def whole_granules(scope: str, since: datetime, until: datetime) -> tuple[date, date] | None:
    """[first, end) granule dates lying wholly inside [since, until); None if none."""
    step = timedelta(days=GRANULE_DAYS[scope])
    first = granule_of(scope, since)
    if _start(first) < since:
        first += step
    end = granule_of(scope, until)
    return (first, end) if first < end else None


def start_of(day: date) -> datetime:
    """Midnight UTC of a date (the start of a granule)."""
    return _start(day)


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
