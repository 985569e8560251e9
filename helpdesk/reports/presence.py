"""Presence history: spans of agents online or away, and the time each spent so.

The agent's presence lives on `Agent.presence` (helpdesk/staff/presence.py); every
save of that field closes the agent's open span and opens one for the new presence
(none for offline), in the same transaction. Going offline happens when the last
tab closes; a web process that dies never closes its sockets, so the scheduler's
minute closes the spans of agents with no counted socket left (`close_stale`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from helpdesk.models import Agent, Presence
from helpdesk.reports.models import PresenceSpan, PresenceState, SpanEnd
from helpdesk.shared_cache import shared_cache

SOCKETS_KEY = "agents:sockets:{}"  # helpdesk/staff/presence.py counts sockets there


def record(user_id: int, presence: str, at: datetime) -> None:
    """Close the agent's open span at `at` and open one for `presence` (online/away)."""
    ended_by = SpanEnd.OFFLINE if presence == Presence.OFFLINE else SpanEnd.CHANGE
    PresenceSpan.objects.filter(agent_user_id=user_id, ended_at__isnull=True).update(
        ended_at=at, ended_by=ended_by
    )
    if presence in PresenceState.values:
        PresenceSpan.objects.create(agent_user_id=user_id, presence=presence, started_at=at)


def _on_agent_saved(sender: Any, instance: Agent, update_fields: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures loading
    created = bool(kwargs.get("created"))
    if created and instance.presence == Presence.OFFLINE:
        return
    if created or (update_fields is not None and "presence" in update_fields):
        record(instance.user_id, instance.presence, timezone.now())


def install() -> None:
    """Follow presence changes (called from the app's ready())."""
    post_save.connect(_on_agent_saved, sender=Agent, dispatch_uid="reports-presence-span")


def close_stale(now: datetime) -> int:
    """Close (timeout) the open spans of agents with no counted socket: their web
    process died, or the counter expired. Returns the spans closed."""
    open_spans = PresenceSpan.objects.filter(ended_at__isnull=True)
    users = set(open_spans.values_list("agent_user_id", flat=True))
    if not users:
        return 0
    keys = {SOCKETS_KEY.format(u): u for u in users}
    alive = shared_cache().get_many(list(keys))
    gone = [u for key, u in keys.items() if int(alive.get(key) or 0) <= 0]
    return open_spans.filter(agent_user_id__in=gone).update(ended_at=now, ended_by=SpanEnd.TIMEOUT)


def times(
    since: datetime, until: datetime, users: list[int] | None = None, now: datetime | None = None
) -> dict[int, dict[str, float]]:
    """Seconds each agent spent online and away within [since, until) (an open span
    counts up to now). {user_id: {"online_s": x, "away_s": y}}."""
    end = min(until, now or timezone.now())
    out: dict[int, dict[str, float]] = defaultdict(lambda: {"online_s": 0.0, "away_s": 0.0})
    if end <= since:
        return dict(out)
    spans = PresenceSpan.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=since), started_at__lt=end
    )
    if users is not None:
        spans = spans.filter(agent_user_id__in=users)
    for user_id, state, start, stop in spans.values_list(
        "agent_user_id", "presence", "started_at", "ended_at"
    ):
        seconds = (min(stop or end, end) - max(start, since)).total_seconds()
        if seconds > 0:
            out[user_id][f"{state}_s"] += seconds
    return dict(out)
