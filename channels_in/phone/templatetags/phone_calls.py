"""Template filters of the calls page."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def talk_time(seconds: int | None) -> str:
    """{{ call.talk_seconds|talk_time }}: "4:05" (or "1:02:03"); "" when unknown."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


OUTCOME_BADGES = {
    "answered": "text-bg-success",
    "missed": "text-bg-danger",
    "busy": "text-bg-warning",
    "rejected": "text-bg-secondary",
    "voicemail": "text-bg-info",
}


@register.filter
def outcome_badge(outcome: str | None) -> str:
    """{{ call.outcome|outcome_badge }}: the Bootstrap badge class for an outcome."""
    return OUTCOME_BADGES.get(outcome or "", "text-bg-light border")
