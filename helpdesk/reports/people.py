"""The agents report: conversations handled, replies, first response, CSAT, and the
time each agent spent online and away (presence spans, helpdesk/reports/presence.py).

The counts come from the half-hour rollup (the facts at the period's ragged ends,
or all of them with a tag filter); the medians from the facts, or from the duration
histogram when the period holds more than percentiles.EXACT_UP_TO first responses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from helpdesk.models import Agent
from helpdesk.reports import histogram, percentiles, presence, sums
from helpdesk.reports.filters import Filters, as_dict, dims, facts, in_period
from helpdesk.reports.models import HourlyRollup
from helpdesk.reports.queries import csat, medians_by

NAMES = ("handled", "replies", "resolved", "answered")


def _members(f: Filters) -> list[int] | None:
    """User ids of the agents whose presence the filters cover (None: every agent)."""
    if f.agent is not None:
        return [f.agent]
    teams = {f.team} if f.team is not None else f.teams
    if teams is None:
        return None
    return list(Agent.objects.filter(teams__in=teams).values_list("user_id", flat=True).distinct())


def _add(out: dict[int, dict[str, int]], agent: int, **values: Any) -> None:
    row = out.setdefault(agent, dict.fromkeys(NAMES, 0))
    for name, value in values.items():
        row[name] += int(value or 0)


def _from_facts(
    f: Filters, since: datetime, until: datetime, out: dict[int, dict[str, int]]
) -> None:
    if since >= until:
        return
    created = facts(f).filter(created_at__gte=since, created_at__lt=until)
    for row in created.values("agent_id_value").annotate(
        handled=Count("pk"), replies=Sum("messages_out"), resolved=Count("resolved_at")
    ):
        values: dict[str, Any] = dict(row)
        _add(out, int(values.pop("agent_id_value")), **values)
    answered = facts(f).filter(first_response_at__gte=since, first_response_at__lt=until)
    for agent, n in answered.values_list("agent_id_value").annotate(n=Count("pk")):
        _add(out, agent, answered=n)


def per_agent(f: Filters) -> dict[int, dict[str, int]]:
    """{agent (0: unassigned): handled, replies, resolved, answered} of the period."""
    out: dict[int, dict[str, int]] = {}
    inner = sums.whole_half_hours(f)
    if inner is None:
        _from_facts(f, f.since, f.until, out)
        return out
    rows = HourlyRollup.objects.filter(dims(f), hour__gte=inner[0], hour__lt=inner[1])
    for row in rows.values("agent_id_value").annotate(
        handled=Sum("created"),
        replies=Sum("messages_out"),
        resolved=Sum("created_resolved"),
        answered=Sum("first_response_count"),
    ):
        values: dict[str, Any] = dict(row)
        _add(out, int(values.pop("agent_id_value")), **values)
    _from_facts(f, f.since, inner[0], out)
    _from_facts(f, inner[1], f.until, out)
    return out


def _medians(f: Filters, answered: int) -> tuple[dict[int, float], bool]:
    """Median first response per agent, and whether it is approximate."""
    suffix = "bs" if f.business_hours else "s"
    wide = answered > percentiles.EXACT_UP_TO
    if wide and f.inbox is None and not f.channel and not f.tag:
        found = percentiles.buckets_per_agent(f, f"frt_{suffix}")
        out = {}
        for agent, b in found.items():
            median = histogram.percentile(b, 0.5)
            if median is not None:
                out[agent] = round(median, 1)
        return out, True
    answered_qs = facts(f).filter(in_period("first_response_at", f))
    return medians_by(answered_qs, f"first_response_{suffix}", "agent_id_value"), False


def agents(f: Filters) -> list[dict[str, Any]]:
    """Per agent: conversations handled (created in the period and assigned), replies
    (messages out), resolved, median first response, CSAT, seconds online and away.

    Agents of the filtered teams who handled nothing but were online are listed too."""
    counted = per_agent(f)
    answered = sum(row["answered"] for row in counted.values())
    handled = {a: row for a, row in counted.items() if a != 0 and row["handled"]}
    online = presence.times(f.since, f.until, _members(f), timezone.now())
    order = sorted(handled, key=lambda a: (-handled[a]["handled"], a))
    order += sorted(set(online) - set(handled))
    medians, approximate = _medians(f, answered)
    out = []
    for agent_id in order:
        row = handled.get(agent_id, dict.fromkeys(NAMES, 0))
        agent_f = Filters(**{**as_dict(f), "agent": agent_id})
        spent = online.get(agent_id, {"online_s": 0.0, "away_s": 0.0})
        out.append(
            {
                "agent_id": agent_id,
                "handled": row["handled"],
                "replies": row["replies"],
                "resolved": row["resolved"],
                "first_response_median_s": medians.get(agent_id),
                "approximate": approximate,
                "csat": csat(agent_f)["satisfied_pct"],
                "online_s": round(spent["online_s"]),
                "away_s": round(spent["away_s"]),
            }
        )
    return out
