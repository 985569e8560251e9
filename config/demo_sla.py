"""The demo's SLA: two policies covering every open ticket (some due soon, one breached)
and two time rules. Runs inside seed_demo's transaction, after the tickets exist."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from helpdesk.automation import config_cache
from helpdesk.models import Ticket, TicketStatus
from helpdesk.sla import clocks, hooks
from helpdesk.sla.models import SlaPolicy, SlaTarget, TicketSla, TimeRule, TimeTrigger
from helpdesk.sla.scheduler import tick

# (name, conditions, minutes per priority: first response, next response, resolution)
POLICIES = [
    (
        "Urgent and high · فوری و بالا",
        [{"field": "priority", "op": "gte", "value": 3}],
        (15, 30, 240),
    ),
    ("Standard · عادی", [], (25, 60, 480)),
]


def seed_sla() -> None:
    """Policies in calendar time (the demo is visited at any hour), time rules, and the
    clocks of the open tickets; the oldest open ticket's first response is overdue."""
    for position, (name, conditions, (first, nxt, resolution)) in enumerate(POLICIES):
        policy = SlaPolicy.objects.create(name=name, position=position, conditions=conditions)
        for priority in (1, 2, 3, 4):
            SlaTarget.objects.create(
                policy=policy,
                priority=priority,
                first_response_minutes=first,
                next_response_minutes=nxt,
                resolution_minutes=resolution,
            )
    TimeRule.objects.create(
        name="Unassigned for 30 minutes: least busy agent · بی‌مسئول ۳۰ دقیقه",
        trigger=TimeTrigger.UNASSIGNED,
        amount=30,
        actions=[{"type": "assign", "mode": "least_open"}],
    )
    TimeRule.objects.create(
        name="SLA breached: tell the supervisors · نقض SLA",
        trigger=TimeTrigger.SLA_BREACHED,
        amount=0,
        actions=[{"type": "notify", "who": "supervisors"}, {"type": "add_tag", "tag": "sla"}],
    )
    config_cache.clear()
    now = timezone.now()
    hooks.track_open_tickets(now)
    oldest = (
        Ticket.objects.filter(status__in=TicketStatus.active(), sla__first_response_state="active")
        .order_by("id")
        .first()
    )
    if oldest is not None:
        # The demo's oldest question has waited too long: its breach is recorded the way
        # the scheduler records any (event, notifications, the breach rule).
        row = TicketSla.objects.get(pk=oldest.pk)
        row.first_response_due_at = now - timedelta(minutes=7)
        clocks.refresh(row, now)
        row.save()
        tick(now)
