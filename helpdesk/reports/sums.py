"""Counts of a period read from the half-hour rollup, the facts only at its edges.

A period [since, until) splits into the whole half hours inside it (summed from
the rollup: one row per half hour x inbox x team x agent x channel, far fewer than
the conversations) and the ragged minutes before the first and after the last
whole half hour (counted from the facts, by index). Periods of whole local days
in a zone whose offset is a whole or half hour have no edges. A tag filter is no
rollup dimension: with one, everything comes from the facts.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Sum

from helpdesk.reports.filters import Filters, as_dict, dims, facts
from helpdesk.reports.models import HourlyRollup
from helpdesk.reports.rollups import hour_of

HALF_HOUR = timedelta(minutes=30)
NAMES = (
    "created",
    "reopened",
    "messages_in",
    "messages_out",
    "replies",
    "reply_sum",
    "resolved",
    "resolution_sum",
    "answered",
    "answered_sum",
)


def whole_half_hours(f: Filters) -> tuple[datetime, datetime] | None:
    """[start, end) of the whole half hours inside the period; None if none (or a tag)."""
    if f.tag:
        return None
    start = hour_of(f.since)
    if start < f.since:
        start += HALF_HOUR
    end = hour_of(f.until)
    return (start, end) if start < end else None


def _part(f: Filters, since: datetime, until: datetime) -> Filters:
    return Filters(**{**as_dict(f), "since": since, "until": until})


def _from_facts(f: Filters, suffix: str) -> dict[str, float]:
    if f.until <= f.since:
        return dict.fromkeys(NAMES, 0.0)
    created = (
        facts(f)
        .filter(created_at__gte=f.since, created_at__lt=f.until)
        .aggregate(
            created=Count("pk"),
            reopened=Sum("reopened"),
            messages_in=Sum("messages_in"),
            messages_out=Sum("messages_out"),
            replies=Sum("reply_count"),
            reply_sum=Sum(f"reply_sum_{suffix}"),
        )
    )
    resolved = (
        facts(f)
        .filter(resolved_at__gte=f.since, resolved_at__lt=f.until)
        .aggregate(resolved=Count("pk"), resolution_sum=Sum(f"resolution_{suffix}"))
    )
    answered = (
        facts(f)
        .filter(first_response_at__gte=f.since, first_response_at__lt=f.until)
        .aggregate(answered=Count("pk"), answered_sum=Sum(f"first_response_{suffix}"))
    )
    return {k: float(v or 0) for k, v in {**created, **resolved, **answered}.items()}


def _from_rollup(f: Filters, start: datetime, end: datetime, suffix: str) -> dict[str, float]:
    row = HourlyRollup.objects.filter(dims(f), hour__gte=start, hour__lt=end).aggregate(
        created=Sum("created"),
        reopened=Sum("reopened"),
        messages_in=Sum("messages_in"),
        messages_out=Sum("messages_out"),
        replies=Sum("reply_count"),
        reply_sum=Sum(f"reply_sum_{suffix}"),
        resolved=Sum("resolved"),
        resolution_sum=Sum(f"resolution_sum_{suffix}"),
        answered=Sum("first_response_count"),
        answered_sum=Sum(f"first_response_sum_{suffix}"),
    )
    return {k: float(v or 0) for k, v in row.items()}


def counts(f: Filters) -> dict[str, float]:
    """Created (with their reopens, messages, replies and reply-time sum), resolved
    (with the resolution times' sum) and answered (first responses and their sum) in
    the period: the same numbers as the facts, mostly read from the rollup."""
    suffix = "bs" if f.business_hours else "s"
    inner = whole_half_hours(f)
    if inner is None:
        return _from_facts(f, suffix)
    parts = [
        _from_rollup(f, inner[0], inner[1], suffix),
        _from_facts(_part(f, f.since, inner[0]), suffix),
        _from_facts(_part(f, inner[1], f.until), suffix),
    ]
    return {name: sum(p[name] for p in parts) for name in NAMES}


def created_per_half_hour(f: Filters, zone: zoneinfo.ZoneInfo) -> dict[datetime, int] | None:
    """Conversations created per UTC half hour of the period's whole half hours, or None
    when the rollup cannot say (a tag, or a zone offset that is no whole half hour)."""
    inner = whole_half_hours(f)
    if inner is None:
        return None
    rows: Any = (
        HourlyRollup.objects.filter(dims(f), hour__gte=inner[0], hour__lt=inner[1])
        .values("hour")
        .annotate(n=Sum("created"))
    )
    out: dict[datetime, int] = {}
    for row in rows:
        offset = row["hour"].astimezone(zone).utcoffset()
        if offset is None or offset.total_seconds() % 1800:
            return None
        out[row["hour"]] = int(row["n"] or 0)
    return out
