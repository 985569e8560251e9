"""The SLA countdown badge of a ticket (inbox rows and the ticket header)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.templatetags.desk import localize_digits, when
from helpdesk.sla.models import ClockState, SlaStatus, Target, TicketSla
from helpdesk.sla.policies import due_soon_seconds

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    if minutes >= 60 * 24:
        text = _("%(d)s d %(h)s h") % {"d": minutes // 1440, "h": minutes % 1440 // 60}
    elif minutes >= 60:
        text = _("%(h)s h %(m)s min") % {"h": minutes // 60, "m": minutes % 60}
    else:
        text = _("%(m)s min") % {"m": minutes}
    return localize_digits(text)


def _target_line(row: TicketSla, target: str) -> str:
    label = Target(target).label
    state = getattr(row, f"{target}_state")
    due: datetime | None = getattr(row, f"{target}_due_at")
    if not state:
        return _("%(target)s: not tracked") % {"target": label}
    shown = ClockState(state).label
    if due is not None and state in (ClockState.ACTIVE, ClockState.BREACHED):
        return _("%(target)s: %(state)s, due %(due)s") % {
            "target": label,
            "state": shown,
            "due": when(due),
        }
    return f"{label}: {shown}"


def badge_context(ticket: Any) -> dict[str, Any]:
    """What the badge shows: nothing for a ticket no policy covers."""
    try:
        row: TicketSla = ticket.sla
    except TicketSla.DoesNotExist:
        return {"show": False}
    if row.status == SlaStatus.NONE:
        return {"show": False}
    now = timezone.now()
    due: datetime | None = None
    if row.status == SlaStatus.BREACHED:
        late = [
            d
            for t in Target.values
            if getattr(row, f"{t}_state") == ClockState.BREACHED
            and (d := getattr(row, f"{t}_due_at"))
        ]
        due = min(late) if late else None
        tone, text = "danger", _("SLA breached")
        if due is not None:
            text = _("%(span)s overdue") % {"span": _span((now - due).total_seconds())}
    elif row.next_due_at is not None:
        due = row.next_due_at
        left = (due - now).total_seconds()
        soon = left <= due_soon_seconds()
        tone = "warning" if soon else "light"
        text = _("due in %(span)s") % {"span": _span(max(left, 0))}
    elif row.status == SlaStatus.PAUSED:
        tone, text = "secondary", _("SLA paused")
    else:
        tone, text = "success", _("SLA met")
    return {
        "show": True,
        "tone": tone,
        "text": text,
        "due": due,
        "status": row.status,
        "policy": row.policy_name,
        "lines": [_target_line(row, t) for t in Target.values],
    }


@register.inclusion_tag("agents/_sla_badge.html")
def sla_badge(ticket: Any) -> dict[str, Any]:
    """{% sla_badge ticket %}: the countdown to the next due target, all three on hover."""
    return badge_context(ticket)
