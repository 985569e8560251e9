"""The reports' share of the scheduler's minute (helpdesk/automation/scheduler.py)."""

from __future__ import annotations

from datetime import datetime

from helpdesk.reports import presence, weekly


def run(now: datetime) -> dict[str, int]:
    """Close presence spans left open by a dead process; mail the weekly reports due."""
    return {
        "presence_spans_timed_out": presence.close_stale(now),
        "weekly_reports_mailed": weekly.send_due(now),
    }
