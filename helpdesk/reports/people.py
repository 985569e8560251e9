"""The agents report: conversations handled, replies, first response, CSAT, and the
time each agent spent online and away (presence spans, helpdesk/reports/presence.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from helpdesk.models import Agent
from helpdesk.reports import presence
from helpdesk.reports.filters import Filters, as_dict, facts, in_period
from helpdesk.reports.queries import csat, medians_by


def _members(f: Filters) -> list[int] | None:
    """User ids of the agents whose presence the filters cover (None: every agent)."""
    if f.agent is not None:
        return [f.agent]
    teams = {f.team} if f.team is not None else f.teams
    if teams is None:
        return None
    return list(Agent.objects.filter(teams__in=teams).values_list("user_id", flat=True).distinct())


def agents(f: Filters) -> list[dict[str, Any]]:
    """Per agent: conversations handled (created in the period and assigned), replies
    (messages out), resolved, median first response, CSAT, seconds online and away.

    Agents of the filtered teams who handled nothing but were online are listed too."""
    suffix = "bs" if f.business_hours else "s"
    base = facts(f).filter(in_period("created_at", f)).exclude(agent_id_value=0)
    rows = base.values("agent_id_value").annotate(
        handled=Count("pk"), replies=Sum("messages_out"), resolved=Count("resolved_at")
    )
    handled = {r["agent_id_value"]: r for r in rows}
    online = presence.times(f.since, f.until, _members(f), timezone.now())
    order = sorted(handled, key=lambda a: (-handled[a]["handled"], a))
    order += sorted(set(online) - set(handled))
    answered = facts(f).filter(in_period("first_response_at", f))
    medians = medians_by(answered, f"first_response_{suffix}", "agent_id_value")
    out = []
    for agent_id in order:
        row = handled.get(agent_id, {"handled": 0, "replies": 0, "resolved": 0})
        agent_f = Filters(**{**as_dict(f), "agent": agent_id})
        spent = online.get(agent_id, {"online_s": 0.0, "away_s": 0.0})
        out.append(
            {
                "agent_id": agent_id,
                "handled": row["handled"],
                "replies": int(row["replies"] or 0),
                "resolved": row["resolved"],
                "first_response_median_s": medians.get(agent_id),
                "csat": csat(agent_f)["satisfied_pct"],
                "online_s": round(spent["online_s"]),
                "away_s": round(spent["away_s"]),
            }
        )
    return out
