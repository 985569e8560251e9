"""A low rating can trigger a rule: the "Survey answered" trigger and survey conditions."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.automation import conditions
from helpdesk.models import Priority, Rule, Ticket, TicketStatus, Trigger
from helpdesk.surveys.actions import do_answer, do_send_survey_now
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db

LOW_CSAT = [
    {"field": "survey.kind", "op": "is", "value": "csat"},
    {"field": "survey.score", "op": "lte", "value": 2},
]


def test_it_reopens_and_escalates_a_ticket_rated_low(email_inbox_a: Any, agent_a: Any) -> None:
    conditions.validate(LOW_CSAT, {"survey_kinds": {"csat", "nps"}})
    Rule.objects.create(
        name="Unhappy customer",
        trigger=Trigger.SURVEY_ANSWERED,
        conditions=LOW_CSAT,
        actions=[
            {"type": "set_status", "status": "open"},
            {"type": "set_priority", "priority": Priority.URGENT},
            {"type": "add_tag", "tag": "unhappy"},
        ],
    )
    happy = open_ticket(email_inbox_a, sender="happy@example.com")
    unhappy = open_ticket(email_inbox_a, sender="sad@example.com")
    for ticket, score in ((happy, 5), (unhappy, 1)):
        request = do_send_survey_now(agent_a, ticket.pk)
        Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.RESOLVED)
        do_answer(request.pk, score)
    sad = Ticket.objects.get(pk=unhappy.pk)
    assert sad.status == TicketStatus.OPEN and sad.priority == Priority.URGENT
    assert "unhappy" in sad.tags
    glad = Ticket.objects.get(pk=happy.pk)
    assert glad.status == TicketStatus.RESOLVED and "unhappy" not in glad.tags
