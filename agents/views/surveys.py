"""The inbox's survey buttons: resolve without a CSAT survey, send one now."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from agents.views.common import agent_required, done, failed
from helpdesk.actions.errors import ActionError
from helpdesk.surveys.actions import do_resolve_without_survey, do_send_survey_now


@require_POST
@agent_required
def resolve_without_survey(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Resolve the ticket; no CSAT question is asked about this resolution."""
    try:
        do_resolve_without_survey(request.user, ticket_id)
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("ticket", args=[ticket_id]))


@require_POST
@agent_required
def send_survey_now(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Send the customer a CSAT question about this ticket at once."""
    try:
        do_send_survey_now(request.user, ticket_id)
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("ticket", args=[ticket_id]))
