"""Helpers shared by the survey tests."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from helpdesk.actions.tickets import do_set_status
from helpdesk.models import Inbox, Ticket, TicketStatus
from helpdesk.surveys.models import SurveyRequest
from helpdesk.surveys.tokens import make_token
from tests.helpdesk.actions_helpers import open_ticket


def resolve(actor: Any, ticket: Ticket, capture: Any) -> None:
    """Resolve the ticket and run what its commit schedules (the CSAT request)."""
    with capture(execute=True):
        do_set_status(actor, ticket.pk, TicketStatus.RESOLVED)


def resolved_ticket(inbox: Inbox, actor: Any, capture: Any, **kwargs: Any) -> Ticket:
    ticket = open_ticket(inbox, **kwargs)
    resolve(actor, ticket, capture)
    return ticket


def page_url(request: SurveyRequest, score: int | None = None) -> str:
    url = reverse("surveys:page", args=[make_token(request.pk)])
    return f"{url}?score={score}" if score is not None else url
