"""Backlog (conversations open at a moment) and volume per tag.

Open at a moment t: created before t and not resolved by t, where "resolved" is
the conversation's last resolve (TicketFact.resolved_at, set only while it is
resolved or closed). So a conversation resolved and later reopened counts as open
from its creation until its next resolve. Merged-away conversations never count.

Without a tag filter the backlog is read from the rollup (created minus resolved
per half hour, summed up to t, or the conversations open now minus the half hours
from t on, whichever reads less); with one, from the facts.
"""

from __future__ import annotations

import bisect
import zoneinfo
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Field,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)

from helpdesk.reports import rollups, sums
from helpdesk.reports.filters import Filters, dims, facts
from helpdesk.reports.models import HourlyRollup, TagRollup
from helpdesk.reports.queries import bucket_starts


def open_at(f: Filters, moment: datetime) -> int:
    """Conversations of the filters open at `moment`."""
    return _open_before(f, [moment])[0]


def _open_before(f: Filters, moments: list[datetime]) -> list[int]:
    if not moments:
        return []
    if f.tag:
        qs = facts(f)
        return [
            qs.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=m), created_at__lt=m).count()
            for m in moments
        ]
    # The level at the first moment's half hour, then created minus resolved between
    # consecutive moments' half hours (one statement for the whole series, not one per
    # bucket); a moment inside a half hour adds that half hour's facts.
    edges = sorted({rollups.hour_of(m) for m in moments})
    if _counted_from_now(edges[0], edges[-1]):
        level, steps = _from_open_now(f, edges)
    else:
        level, steps = _from_the_start(f, edges)
    out, k = [], 0
    for m in moments:
        edge = rollups.hour_of(m)
        while k < len(edges) and edges[k] <= edge:
            level += steps.get(k, 0)  # step 0 is in the level already
            k += 1
        out.append(level + (_facts_between(f, edge, m) if m > edge else 0))
    return out


# Counting one open conversation in fact_open_idx costs about 0.4 of reading one rollup
# row (serial timings at 1,000,000 conversations: 400,000 index entries 20-33 ms, the
# 172,000 rollup rows 53 ms).
OPEN_ENTRY_COST = 0.4


def _counted_from_now(first: datetime, last: datetime) -> bool:
    """Whether the level at `first` is cheaper from the conversations open now.

    Either side gives the same level: every unmerged conversation adds 1 to `created`
    and, while resolved, 1 to `resolved` (rollups._hourly), so the sum over all rollup
    rows is the conversations open now, and the level before `first` is that count
    minus the rows from `first` on. Both read the period's rows; the start adds the
    rows before `first`, the open count the rows after `last` and the open
    conversations (by index). The rollup's rows are taken as even over its span, and
    a filter as taking the same share of both (PostgreSQL's estimates of the whole)."""
    start, end, rows, open_now = _sizes()
    if start is None or end is None:
        return False
    before = max((first - start).total_seconds(), 0.0)
    after = max((end - last).total_seconds(), 0.0)
    if rows is None or open_now is None:  # no statistics: the spans alone decide
        return after < before
    per_second = rows / max((end - start).total_seconds(), 1800.0)
    return after * per_second + OPEN_ENTRY_COST * open_now < before * per_second


def _sizes() -> tuple[datetime | None, datetime | None, float | None, float | None]:
    """The rollup's first and last half hour (an index probe each) and, on PostgreSQL,
    the planner's estimates of its rows and of the open conversations (None elsewhere,
    or before the first ANALYZE)."""
    if connection.vendor != "postgresql":
        ends = HourlyRollup.objects.aggregate(start=Min("hour"), end=Max("hour"))
        return ends["start"], ends["end"], None, None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(hour), MAX(hour), "
            "(SELECT reltuples FROM pg_class WHERE oid = 'reports_hourlyrollup'::regclass), "
            "(SELECT reltuples FROM pg_class WHERE oid = 'fact_open_idx'::regclass) "
            "FROM reports_hourlyrollup"
        )
        start, end, rows, open_now = cursor.fetchone()

    def known(n: float | None) -> float | None:
        return float(n) if n is not None and n >= 0 else None  # -1: never analyzed

    return start, end, known(rows), known(open_now)


def _from_the_start(f: Filters, edges: list[datetime]) -> tuple[int, dict[int, int]]:
    """The level at the first edge summed from the rollup's start, and the steps up to
    the last: one pass over the rows before it (two queries read the table twice)."""
    rows = HourlyRollup.objects.filter(dims(f), hour__lt=edges[-1])
    steps = _steps(rows, edges)
    return steps.pop(0, 0), steps


def _from_open_now(f: Filters, edges: list[datetime]) -> tuple[int, dict[int, int]]:
    """The level at the first edge from the conversations open now minus every step
    from it on, in one statement (one snapshot: a conversation created or resolved
    between two queries would shift every point)."""
    open_now = (
        facts(f)
        .filter(resolved_at__isnull=True)
        .values(k=Value(None, output_field=_step_key(edges)[1]))
        .annotate(d=Count("*"))  # not the key column: the index alone answers
        .values_list("k", "d")
    )
    after = HourlyRollup.objects.filter(dims(f), hour__gte=edges[0])
    rows = list(open_now.union(_grouped(after, edges), all=True))
    steps = _folded([(k, d) for k, d in rows if k is not None], edges)
    return sum(int(d or 0) for k, d in rows if k is None) - sum(steps.values()), steps


def _steps(rows: QuerySet[HourlyRollup], edges: list[datetime]) -> dict[int, int]:
    return _folded(list(_grouped(rows, edges)), edges)


def _grouped(rows: QuerySet[HourlyRollup], edges: list[datetime]) -> Any:
    """(k, created - resolved) per step k: the half hours from edges[k - 1] to edges[k]
    (k = 0 before the first edge, len(edges) from the last on). PostgreSQL groups by
    width_bucket (the edges at or before the row's half hour): ~90 rows for a 90-day
    series instead of 4,320 half hours converted and summed in Python (a fifth of the
    request at 1M); elsewhere per half hour, folded by `_folded`."""
    key, _ = _step_key(edges)
    grouped = rows.annotate(k=key).values("k").annotate(d=Sum("created") - Sum("resolved"))
    return grouped.order_by().values_list("k", "d")


def _step_key(edges: list[datetime]) -> tuple[Any, Field[Any, Any]]:
    """The grouping expression of `_grouped` and its type (a NULL in a union with it)."""
    if connection.vendor == "postgresql":
        step = IntegerField()
        return Func(F("hour"), Value(edges), function="width_bucket", output_field=step), step
    return F("hour"), DateTimeField()


def _folded(rows: list[tuple[Any, Any]], edges: list[datetime]) -> dict[int, int]:
    """{step: created - resolved} from rows keyed by step or by half hour."""
    steps: dict[int, int] = {}
    for key, d in rows:
        k = bisect.bisect_right(edges, key) if isinstance(key, datetime) else int(key)
        steps[k] = steps.get(k, 0) + int(d or 0)
    return steps


def _facts_between(f: Filters, start: datetime, end: datetime) -> int:
    """Created minus resolved in [start, end) (inside one half hour), from the facts."""
    qs = facts(f)
    created = qs.filter(created_at__gte=start, created_at__lt=end).count()
    return created - qs.filter(resolved_at__gte=start, resolved_at__lt=end).count()


def series(f: Filters, interval: str, zone_name: str) -> list[dict[str, Any]]:
    """[{start, value}]: the conversations open at the end of each bucket (or at
    `until` for the last, partial one)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    starts = bucket_starts(f, interval, zone)
    ends = [*starts[1:], f.until] if starts else []
    ends = [min(e, f.until) for e in ends]
    values = _open_before(f, ends)
    return [{"start": s.isoformat(), "value": v} for s, v in zip(starts, values, strict=True)]


def tags(f: Filters, limit: int = 50) -> list[dict[str, Any]]:
    """Per tag: conversations created in the period with that tag, and how many of them
    are resolved now; most used first (a conversation with two tags counts under both).

    Read from the tag rollup (the facts' tags) for the whole half hours, the facts at
    the edges; with a tag filter, from the tickets' tags."""
    found = _tag_counts(f)
    if found is None:
        return _tags_of_tickets(f, limit)
    ranked = sorted(((t, c) for t, c in found.items() if t), key=lambda tc: (-tc[1][0], tc[0]))
    return [{"tag": t, "created": c, "resolved": r} for t, (c, r) in ranked[:limit]]


def _tag_counts(f: Filters) -> dict[str, tuple[int, int]] | None:
    """{tag ("" for none): (created, resolved)} of the period, or None with a tag filter."""
    inner = sums.whole_half_hours(f)
    if inner is None:
        if f.tag:
            return None
        inner = (f.since, f.since)
    out: dict[str, tuple[int, int]] = {}
    rows = TagRollup.objects.filter(dims(f), hour__gte=inner[0], hour__lt=inner[1])
    grouped = rows.values_list("tag").annotate(c=Sum("created"), r=Sum("resolved")).order_by()
    for tag, c, r in grouped.values_list("tag", "c", "r"):
        out[tag] = (int(c or 0), int(r or 0))
    for since, until in ((f.since, inner[0]), (inner[1], f.until)):
        if since >= until:
            continue
        edge = facts(f).filter(created_at__gte=since, created_at__lt=until)
        for fact_tags, resolved_at in edge.values_list("tags", "resolved_at"):
            for tag in sorted({str(t)[:100] for t in (fact_tags or [])}) or [""]:
                c, r = out.get(tag, (0, 0))
                out[tag] = (c + 1, r + int(resolved_at is not None))
    return out


def _tags_of_tickets(f: Filters, limit: int) -> list[dict[str, Any]]:
    base = facts(f).filter(created_at__gte=f.since, created_at__lt=f.until)
    ids_sql, params = base.values("ticket_id").query.sql_with_params()
    if connection.vendor == "postgresql":
        each = "jsonb_array_elements_text(t.tags) AS tag(value)"
    else:
        each = "json_each(t.tags) AS tag"
    sql = (
        "SELECT tag.value, COUNT(*), COUNT(f.resolved_at) "  # noqa: S608 - fixed SQL, ORM subquery
        f"FROM reports_ticketfact f JOIN helpdesk_ticket t ON t.id = f.ticket_id, {each} "
        f"WHERE f.ticket_id IN ({ids_sql}) "
        "GROUP BY tag.value ORDER BY COUNT(*) DESC, tag.value LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [
            {"tag": str(tag), "created": int(n), "resolved": int(done)}
            for tag, n, done in cursor.fetchall()
        ]


def untagged(f: Filters) -> int:
    """Conversations created in the period with no tag."""
    found = _tag_counts(f)
    if found is not None:
        return found.get("", (0, 0))[0]
    base = facts(f).filter(created_at__gte=f.since, created_at__lt=f.until)
    return base.filter(Q(ticket__tags=[]) | Q(ticket__tags__isnull=True)).count()
