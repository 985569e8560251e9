"""CSAT after each resolution: the hook that schedules it and the rules that skip it.

The hook runs inside the resolving transaction (helpdesk.events.recorded_hooks)
but only decides; the request row is written after that transaction commits
(the resolving action already holds the sequence lock, and no row may be locked
after it). A request is sent when due (delay after resolve) by a task, with the
scheduler as the safety net; the skip rules are checked again at sending time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.automation.actor import system_actor
from helpdesk.models import Ticket, TicketEvent, TicketStatus
from helpdesk.surveys.actions import new_csat_request, recently_surveyed, skip, survey_suppressed
from helpdesk.surveys.models import InboxSurvey, SkipReason, SurveyKind, SurveyRequest


def on_event(event: TicketEvent) -> None:
    """A ticket was resolved: schedule its CSAT survey once the resolution commits."""
    if event.type != "ticket.status_changed" or event.ticket_id is None:
        return
    if event.payload.get("status") != TicketStatus.RESOLVED:
        return
    agent_skipped = survey_suppressed()
    transaction.on_commit(
        partial(schedule, event.ticket_id, event.actor_id, agent_skipped, event.created_at),
        robust=True,
    )


def schedule(
    ticket_id: int, actor_id: int | None, agent_skipped: bool, resolved_at: datetime
) -> SurveyRequest | None:
    """Create the CSAT request of one resolution (skipped at once when a rule says so)."""
    ticket = Ticket.objects.select_related("inbox", "contact").filter(pk=ticket_id).first()
    if ticket is None:
        return None
    config = InboxSurvey.objects.filter(inbox_id=ticket.inbox_id, enabled=True).first()
    if config is None:
        return None
    request = new_csat_request(
        ticket, send_after=resolved_at + timedelta(minutes=config.delay_minutes)
    )
    if agent_skipped:
        skip(request, SkipReason.AGENT)
    elif config.skip_auto_resolved and actor_id is not None and actor_id == system_actor().pk:
        skip(request, SkipReason.AUTO_RESOLVED)
    request.save()
    if not request.skip_reason:
        from helpdesk.surveys.delivery import send_survey

        due = request.send_after
        if due <= timezone.now():
            send_survey.enqueue(request.pk)
        else:
            send_survey.using(run_after=due).enqueue(request.pk)
    return request


def skip_reason(request: SurveyRequest, ticket: Ticket) -> str:
    """Why a due request should not be sent now ("" to send it)."""
    if request.kind != SurveyKind.CSAT:
        return ""
    config = InboxSurvey.objects.filter(inbox_id=request.inbox_id).first()
    if config is None or not config.enabled:
        return SkipReason.DISABLED
    if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return SkipReason.REOPENED
    skip_tags = {str(t).strip().lower() for t in config.skip_tags or []}
    if skip_tags & {str(t).lower() for t in ticket.tags or []}:
        return SkipReason.TAG
    if recently_surveyed(
        request.contact_id, SurveyKind.CSAT, config.min_interval_days, exclude=request.pk
    ):
        return SkipReason.RECENT
    return ""


def install() -> None:
    """Listen to recorded events (called once from the app's ready())."""
    if on_event not in events.recorded_hooks:
        events.recorded_hooks.append(on_event)
