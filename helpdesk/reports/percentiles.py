"""Medians and p90 of long periods, read from the duration histogram (bounded error).

Exact medians need every value of the period sorted: half a million of them over
90 days at a million conversations. Above EXACT_UP_TO values (counted exactly from
the rollup) the summary and the agents report read the per-bucket counts instead:
the whole days (desk) or weeks (team, agent) of the period from DurationHistogram,
the ragged rest from the facts (exact values, counted into the same buckets). The
result is within histogram.RELATIVE_ERROR (< 1 %) of the exact figure; averages and
counts stay exact (rollup sums). Inbox, channel and tag filters are no histogram
dimension: with one, the figures are always exact.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import QuerySet, Sum

from helpdesk.reports import histogram
from helpdesk.reports.filters import Filters, facts
from helpdesk.reports.models import DurationHistogram
from helpdesk.reports.rollups import SERIES

# Above this many values in the period, medians and p90 come from the histogram.
EXACT_UP_TO = 20_000

type Buckets = dict[int, int]


def scope_of(f: Filters) -> tuple[str, list[int] | None] | None:
    """The summary's histogram scope: the desk ("a", None) or teams ("t", ids); None
    when a filter is no histogram dimension (inbox, channel, agent, tag)."""
    if f.inbox is not None or f.channel or f.agent is not None or f.tag:
        return None
    if f.team is not None:
        return "t", [f.team]
    if f.teams is not None:
        return "t", sorted(f.teams)
    return "a", None


def _edges(scope: str, f: Filters) -> tuple[tuple[datetime, datetime], ...]:
    """The parts of the period outside its whole granules (all of it if none)."""
    inner = histogram.whole_granules(scope, f.since, f.until)
    if inner is None:
        return ((f.since, f.until),)
    return ((f.since, histogram.start_of(inner[0])), (histogram.start_of(inner[1]), f.until))


def buckets(
    f: Filters, series: list[str], scope: str, teams: list[int] | None
) -> dict[str, Buckets]:
    """Values per bucket of each series (frt_s, res_bs...) in the period (scope a or t)."""
    out: dict[str, Buckets] = {s: {} for s in series}
    inner = histogram.whole_granules(scope, f.since, f.until)
    if inner is not None:
        rows = _histogram_rows(scope, teams, series, inner).values_list("series", "bucket")
        for name, bucket, n in (
            rows.annotate(n=Sum("count")).order_by().values_list("series", "bucket", "n")
        ):
            out[name][bucket] = out[name].get(bucket, 0) + int(n)
    for name in series:
        at, value = SERIES[name]
        for since, until in _edges(scope, f):
            if since < until:
                edge = facts(f).filter(**{f"{at}__gte": since, f"{at}__lt": until})
                histogram.add(
                    out[name],
                    edge.exclude(**{f"{value}__isnull": True}).values_list(value, flat=True),
                )
    return out


def _histogram_rows(
    scope: str, teams: list[int] | None, series: list[str], inner: tuple[date, date]
) -> QuerySet[DurationHistogram]:
    qs = DurationHistogram.objects.filter(
        scope=scope, series__in=series, day__gte=inner[0], day__lt=inner[1]
    )
    qs = qs.filter(team_id_value__in=teams) if teams is not None else qs.filter(team_id_value=0)
    return qs if scope == "g" else qs.filter(agent_id_value=0)


def buckets_per_agent(f: Filters, series: str) -> dict[int, Buckets]:
    """First-response values per bucket of each agent in the period (the agents report;
    filters: team scope, team, agent; no inbox, channel or tag)."""
    teams = [f.team] if f.team is not None else (sorted(f.teams) if f.teams is not None else None)
    out: dict[int, Buckets] = defaultdict(dict)
    inner = histogram.whole_granules("g", f.since, f.until)
    if inner is not None:
        qs = DurationHistogram.objects.filter(
            scope="g", series=series, day__gte=inner[0], day__lt=inner[1]
        )
        if teams is not None:
            qs = qs.filter(team_id_value__in=teams)
        if f.agent is not None:
            qs = qs.filter(agent_id_value=f.agent)
        grouped = qs.values_list("agent_id_value", "bucket").annotate(n=Sum("count")).order_by()
        for agent, bucket, n in grouped.values_list("agent_id_value", "bucket", "n"):
            out[agent][bucket] = out[agent].get(bucket, 0) + int(n)
    at, value = SERIES[series]
    for since, until in _edges("g", f):
        if since < until:
            edge = facts(f).filter(**{f"{at}__gte": since, f"{at}__lt": until})
            for agent, v in edge.exclude(**{f"{value}__isnull": True}).values_list(
                "agent_id_value", value
            ):
                b = histogram.bucket_of(float(v))
                out[agent][b] = out[agent].get(b, 0) + 1
    return dict(out)
