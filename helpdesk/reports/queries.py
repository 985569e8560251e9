"""Report queries: filters, summary, time series, heatmap, churn and drill-down.

Counts and averages of a time series come from the hourly rollup; medians and
percentiles (which do not add up) from the per-conversation facts, by index on
their times. A tag filter is not a rollup dimension: with one, everything is read
from the facts.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Aggregate, Avg, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Extract, Floor, Trunc

from helpdesk.reports import histogram, metrics, percentiles, sums
from helpdesk.reports.filters import Filters as Filters  # callers use queries.Filters
from helpdesk.reports.filters import dims, facts, in_period
from helpdesk.reports.models import HourlyRollup, TicketFact
from helpdesk.sla.models import ClockState, Target, TicketSla
from helpdesk.surveys import scores
from helpdesk.surveys.models import SurveyRequest, SurveyResponse
from helpdesk.tag_lookup import tag_q


def _times(qs: QuerySet[TicketFact], field: str) -> list[float]:
    return [
        float(x) for x in qs.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True)
    ]


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(p) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    template = "%(function)s(%(p)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def time_stats(qs: QuerySet[TicketFact], field: str) -> dict[str, float | None]:
    """metrics.time_stats of a column, computed by PostgreSQL (in Python elsewhere)."""
    if connection.vendor != "postgresql":
        return metrics.time_stats(_times(qs, field))
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The percentiles sort the period's values: in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        row = qs.exclude(**{f"{field}__isnull": True}).aggregate(
            median=PercentileCont(field, p=0.5), p90=PercentileCont(field, p=0.9), avg=Avg(field)
        )

    def r(x: float | None) -> float | None:
        return round(float(x), 1) if x is not None else None

    return {"median_s": r(row["median"]), "p90_s": r(row["p90"]), "avg_s": r(row["avg"])}


def medians_by(qs: QuerySet[TicketFact], field: str, by: str) -> dict[Any, float]:
    """The median of `field` per value of `by`, in one query on PostgreSQL (one
    percentile_cont per group; grouped in Python elsewhere), rounded like time_stats."""
    qs = qs.exclude(**{f"{field}__isnull": True})
    if connection.vendor != "postgresql":
        groups: dict[Any, list[float]] = {}
        for key, value in qs.values_list(by, field):
            groups.setdefault(key, []).append(float(value))
        found = {k: metrics.percentile(v, 0.5) for k, v in groups.items()}
        return {k: round(v, 1) for k, v in found.items() if v is not None}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
        rows = qs.values(by).annotate(median=PercentileCont(field, p=0.5)).order_by()
        return {r[by]: round(float(r["median"]), 1) for r in rows}


def summary(f: Filters) -> dict[str, Any]:
    """The figures of GET /api/v1/reports/summary."""
    counts = sums.counts(f)
    replies = int(counts["replies"])
    first, resolution = _period_times(f, counts)
    return {
        "conversations_created": int(counts["created"]),
        "conversations_resolved": int(counts["resolved"]),
        "conversations_reopened": int(counts["reopened"]),
        "messages_in": int(counts["messages_in"]),
        "messages_out": int(counts["messages_out"]),
        "business_hours": f.business_hours,
        "first_response_time": first,
        "resolution_time": resolution,
        "reply_time": {
            "count": replies,
            "avg_s": round(counts["reply_sum"] / replies, 1) if replies else None,
        },
        "sla": sla(f),
        "csat": csat(f),
        "nps": nps(f),
    }


def _period_times(f: Filters, counts: dict[str, float]) -> tuple[dict[str, Any], dict[str, Any]]:
    """First response and resolution stats: exact, or median and p90 from the duration
    histogram when the period holds more than EXACT_UP_TO values (percentiles.py)."""
    suffix = "bs" if f.business_hours else "s"
    kinds = (
        ("frt", "first_response_at", f"first_response_{suffix}", "answered"),
        ("res", "resolved_at", f"resolution_{suffix}", "resolved"),
    )
    scope = percentiles.scope_of(f)
    wide = [k for k in kinds if scope is not None and counts[k[3]] > percentiles.EXACT_UP_TO]
    found = (
        percentiles.buckets(f, [f"{k[0]}_{suffix}" for k in wide], *scope)
        if wide and scope is not None
        else {}
    )
    out = []
    for kind, at, field, counted in kinds:
        if (kind, at, field, counted) in wide:
            b = found[f"{kind}_{suffix}"]
            n = counts[counted]
            out.append(
                {
                    "median_s": _round(histogram.percentile(b, 0.5)),
                    "p90_s": _round(histogram.percentile(b, 0.9)),
                    "avg_s": round(
                        counts[f"{counted}_sum" if kind == "frt" else "resolution_sum"] / n, 1
                    ),
                    "approximate": True,
                }
            )
        elif not counts[counted]:  # none in the period (counted exactly): no query
            out.append({"median_s": None, "p90_s": None, "avg_s": None, "approximate": False})
        else:
            exact = time_stats(facts(f).filter(in_period(at, f)), field)
            out.append({**exact, "approximate": False})
    return out[0], out[1]


def _round(x: float | None) -> float | None:
    return round(x, 1) if x is not None else None


def _survey_q(f: Filters) -> Q:
    q = Q()
    if f.teams is not None:
        q &= Q(team_id__in=f.teams)
    for name, value in (("team_id", f.team), ("inbox_id", f.inbox), ("agent_id", f.agent)):
        if value is not None:
            q &= Q(**{name: value})
    if f.channel:
        q &= Q(channel=f.channel)
    if f.tag:
        q &= tag_q("ticket__tags", f.tag)
    return q


def csat(f: Filters) -> dict[str, Any]:
    """CSAT answers given in the period (helpdesk.surveys.scores)."""
    responses = SurveyResponse.objects.filter(_survey_q(f), in_period("answered_at", f))
    requests = SurveyRequest.objects.filter(_survey_q(f), in_period("created_at", f))
    c = scores.csat(responses, requests)
    return {
        "responses": c.answers,
        "sent": c.sent,
        "response_rate": c.response_rate,
        "average": c.average,
        "satisfied_pct": c.score,
    }


def nps(f: Filters) -> dict[str, Any]:
    """NPS answers given in the period."""
    responses = SurveyResponse.objects.filter(_survey_q(f), in_period("answered_at", f))
    requests = SurveyRequest.objects.filter(_survey_q(f), in_period("created_at", f))
    n = scores.nps(responses, requests)
    return {
        "responses": n.answers,
        "promoters": n.promoters,
        "passives": n.passives,
        "detractors": n.detractors,
        "score": n.score,
        "response_rate": n.response_rate,
    }


def sla(f: Filters) -> dict[str, Any]:
    """SLA of conversations created in the period: % met per target and per policy."""
    tickets = facts(f).filter(in_period("created_at", f)).values("ticket_id")
    rows = TicketSla.objects.filter(ticket_id__in=tickets).exclude(policy_name="")
    per_target: dict[str, Any] = {}
    for target in Target.values:
        state = f"{target}_state"
        c = rows.aggregate(
            met=Count("pk", filter=Q(**{state: ClockState.MET})),
            breached=Count("pk", filter=Q(**{state: ClockState.BREACHED})),
        )
        per_target[target] = _pct(int(c["met"]), int(c["breached"]))
    policies = []
    for name in sorted(set(rows.values_list("policy_name", flat=True))):
        c = rows.filter(policy_name=name).aggregate(
            met=Count("pk", filter=Q(status=ClockState.MET)),
            breached=Count("pk", filter=Q(status=ClockState.BREACHED)),
        )
        policies.append({"policy": name, **_pct(int(c["met"]), int(c["breached"]))})
    total = rows.aggregate(
        tickets=Count("pk"), breached=Count("pk", filter=Q(status=ClockState.BREACHED))
    )
    return {
        "tickets": int(total["tickets"]),
        "breached": int(total["breached"]),
        "targets": per_target,
        "policies": policies,
    }


def _pct(met: int, breached: int) -> dict[str, Any]:
    done = met + breached
    return {
        "met": met,
        "breached": breached,
        "met_pct": round(100.0 * met / done, 1) if done else None,
    }


ROLLUP_SUMS: dict[str, tuple[str, str | None]] = {
    "conversations_created": ("created", None),
    "conversations_resolved": ("resolved", None),
    "conversations_reopened": ("reopened", None),
    "messages_in": ("messages_in", None),
    "messages_out": ("messages_out", None),
    "first_response_time": ("first_response_sum_{}", "first_response_count"),
    "reply_time": ("reply_sum_{}", "reply_count"),
    "resolution_time": ("resolution_sum_{}", "resolution_count"),
}
STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


def bucket_starts(f: Filters, interval: str, zone: zoneinfo.ZoneInfo) -> list[datetime]:
    """Every bucket start from `since` to `until` in local time (weeks from Monday)."""
    local = f.since.astimezone(zone)
    if interval == "hour":
        start = local.replace(minute=0, second=0, microsecond=0)
    else:
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if interval == "week":
            start -= timedelta(days=start.weekday())
    out = []
    naive = start.replace(tzinfo=None)
    while True:
        moment = naive.replace(tzinfo=zone)
        if moment >= f.until:
            break
        out.append(moment)
        naive += STEP[interval]
    return out


def timeseries(f: Filters, metric: str, interval: str, zone_name: str) -> list[dict[str, Any]]:
    """[{start, value}] per interval (every bucket, zeros included); times are averages,
    the backlog is the level at each bucket's end."""
    if metric == "backlog":
        from helpdesk.reports import backlog

        return backlog.series(f, interval, zone_name)
    zone = zoneinfo.ZoneInfo(zone_name)
    suffix = "bs" if f.business_hours else "s"
    total, count = ROLLUP_SUMS[metric]
    total = total.format(suffix)
    if f.tag:
        raw = _fact_series(f, metric, interval, zone, suffix)
    else:
        qs = HourlyRollup.objects.filter(dims(f), in_period("hour", f))
        aggregates: dict[str, Any] = {"total": Sum(total)}
        if count:
            aggregates["n"] = Sum(count)
        grouped: Any = (
            qs.annotate(bucket=Trunc("hour", interval, tzinfo=zone))
            .values("bucket")
            .annotate(**aggregates)
        )
        raw = {row["bucket"]: (row["total"] or 0, row.get("n") or 0) for row in grouped}
    points = []
    for start in bucket_starts(f, interval, zone):
        value_total, n = raw.get(start, (0, 0))
        if count:
            value = round(float(value_total) / n, 1) if n else None
        else:
            value = int(value_total or 0)
        points.append({"start": start.isoformat(), "value": value})
    return points


FACT_SERIES: dict[str, tuple[str, str, str | None]] = {
    # metric -> (time field, summed field, counted)
    "conversations_created": ("created_at", "", None),
    "conversations_resolved": ("resolved_at", "", None),
    "conversations_reopened": ("created_at", "reopened", None),
    "messages_in": ("created_at", "messages_in", None),
    "messages_out": ("created_at", "messages_out", None),
    "first_response_time": ("first_response_at", "first_response_{}", "first_response_at"),
    "reply_time": ("created_at", "reply_sum_{}", "reply_count"),
    "resolution_time": ("resolved_at", "resolution_{}", "resolved_at"),
}


def _fact_series(
    f: Filters, metric: str, interval: str, zone: zoneinfo.ZoneInfo, suffix: str
) -> dict[datetime, tuple[float, int]]:
    at, summed, counted = FACT_SERIES[metric]
    qs = facts(f).filter(in_period(at, f)).annotate(bucket=Trunc(at, interval, tzinfo=zone))
    aggregates: dict[str, Any] = {"total": Sum(summed.format(suffix)) if summed else Count("pk")}
    if counted == "reply_count":
        aggregates["n"] = Sum("reply_count")
    elif counted:
        aggregates["n"] = Count(counted)
    grouped: Any = qs.values("bucket").annotate(**aggregates)
    return {r["bucket"]: (r["total"] or 0, r.get("n") or 0) for r in grouped}


def bucket_range(start: datetime, interval: str, zone_name: str) -> tuple[datetime, datetime]:
    """The [start, end) of the bucket starting at `start` (for drill-down links)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    naive = start.astimezone(zone).replace(tzinfo=None)
    return start, (naive + STEP[interval]).replace(tzinfo=zone)


DRILL_FIELD = {name: spec[0] for name, spec in FACT_SERIES.items()}


def drill_down(f: Filters, metric: str) -> QuerySet[TicketFact]:
    """The conversations behind a figure of the period (same rules as the figure)."""
    if metric == "backlog":  # open at the end of the period (or of the bucket)
        open_then = Q(resolved_at__isnull=True) | Q(resolved_at__gte=f.until)
        return (
            facts(f).filter(open_then, created_at__lt=f.until).order_by("created_at", "ticket_id")
        )
    at = DRILL_FIELD.get(metric, "created_at")
    qs = facts(f).filter(in_period(at, f))
    if metric == "conversations_reopened":
        qs = qs.filter(reopened__gt=0)
    elif metric in ("messages_in", "messages_out", "reply_time"):
        qs = qs.filter(**{f"{metric if metric != 'reply_time' else 'reply_count'}__gt": 0})
    return qs.order_by(at, "ticket_id")


# The week's first day: Monday (ISO 1) in English, Saturday (ISO 6) in Persian.
QUARTER = 900  # seconds: every zone's offset is a whole number of quarter hours


def heatmap(f: Filters, zone_name: str, week_start: int = 1) -> list[list[int]]:
    """Conversations created per local weekday (rows from `week_start`, ISO) x hour.

    The whole half hours of the period come from the rollup (each UTC half hour lies
    in one local hour when the zone's offset is a whole or half hour); the edges, a
    tag filter or another zone from the facts."""
    zone = zoneinfo.ZoneInfo(zone_name)
    grid = [[0] * 24 for _ in range(7)]
    halves = sums.created_per_half_hour(f, zone)
    edges = [(f.since, f.until)]
    if halves is not None:
        inner = sums.whole_half_hours(f)
        assert inner is not None  # noqa: S101 - halves come from it
        edges = [(f.since, inner[0]), (inner[1], f.until)]
        for start, n in halves.items():
            local = start.astimezone(zone)
            grid[(local.isoweekday() - week_start) % 7][local.hour] += n
    for since, until in edges:
        if since < until:
            _heat_from_facts(
                facts(f).filter(created_at__gte=since, created_at__lt=until), zone, week_start, grid
            )
    return grid


def _heat_from_facts(
    qs: QuerySet[TicketFact], zone: zoneinfo.ZoneInfo, week_start: int, grid: list[list[int]]
) -> None:
    """Add the conversations of `qs` to the grid: per UTC quarter hour on PostgreSQL
    (no zone arithmetic per row), one by one elsewhere (few rows)."""
    if connection.vendor != "postgresql":
        for at in qs.values_list("created_at", flat=True):
            local = at.astimezone(zone)
            grid[(local.isoweekday() - week_start) % 7][local.hour] += 1
        return
    rows = qs.annotate(q=Floor(Extract("created_at", "epoch") / QUARTER)).values("q")
    for row in rows.annotate(n=Count("pk")):
        local = datetime.fromtimestamp(int(row["q"]) * QUARTER, zone)
        grid[(local.isoweekday() - week_start) % 7][local.hour] += int(row["n"])


def export_rows(f: Filters) -> Iterator[list[Any]]:
    """One row per conversation created in the period, every fact (for CSV / XLSX)."""
    yield EXPORT_HEADER
    qs = (
        facts(f)
        .filter(in_period("created_at", f))
        .order_by("created_at", "ticket_id")
        .annotate(subject=F("ticket__subject"))
        .values_list(*EXPORT_FIELDS)
    )
    # Only the time and tag columns need converting (a tenth of a 100,000-row export's
    # time went to checking every cell).
    times = [i for i, name in enumerate(EXPORT_FIELDS) if name.endswith("_at")]
    tags = EXPORT_FIELDS.index("tags")
    for values in qs.iterator(chunk_size=5000):
        row = list(values)
        for i in times:
            if row[i] is not None:
                row[i] = row[i].isoformat()
        row[tags] = ", ".join(str(v) for v in row[tags] or [])
        yield row


EXPORT_FIELDS = (
    "ticket_id",
    "subject",
    "channel",
    "inbox_id_value",
    "team_id_value",
    "agent_id_value",
    "contact_id_value",
    "status",
    "tags",
    "created_at",
    "first_response_at",
    "first_response_s",
    "first_response_bs",
    "reply_count",
    "reply_sum_s",
    "reply_sum_bs",
    "resolved_at",
    "resolution_s",
    "resolution_bs",
    "reopened",
    "messages_in",
    "messages_out",
)
EXPORT_HEADER = [name.removesuffix("_value") for name in EXPORT_FIELDS]
