"""Per team, channel or inbox: created, resolved and median first response."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from helpdesk.reports.filters import Filters, facts, in_period
from helpdesk.reports.queries import time_stats

BREAKDOWNS = {"team": "team_id_value", "channel": "channel", "inbox": "inbox_id_value"}


def breakdown(f: Filters, by: str) -> list[dict[str, Any]]:
    """Per team, channel or inbox: conversations created and resolved in the period and
    the median first response (same definitions as the summary)."""
    field = BREAKDOWNS[by]
    suffix = "bs" if f.business_hours else "s"
    created = dict(
        facts(f).filter(in_period("created_at", f)).values_list(field).annotate(n=Count("pk"))
    )
    resolved = dict(
        facts(f).filter(in_period("resolved_at", f)).values_list(field).annotate(n=Count("pk"))
    )
    out = []
    for key in sorted(set(created) | set(resolved), key=str):
        answered = facts(f).filter(in_period("first_response_at", f), **{field: key})
        out.append(
            {
                "key": key,
                "created": created.get(key, 0),
                "resolved": resolved.get(key, 0),
                "first_response_median_s": time_stats(answered, f"first_response_{suffix}")[
                    "median_s"
                ],
            }
        )
    return out
