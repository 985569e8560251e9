"""Each survey action records exactly its events (as tests/helpdesk/test_action_events.py
does for the core's actions), and every payload round-trips through JSON and its schema."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest

from helpdesk import events
from helpdesk.models import Ticket, TicketEvent, TicketStatus
from helpdesk.surveys import actions
from helpdesk.surveys.models import InboxSurvey
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db


def _send_now(inbox: Any, agent: Any) -> Callable[[], object]:
    ticket = open_ticket(inbox)
    return lambda: actions.do_send_survey_now(agent, ticket.pk)


def _send_request(inbox: Any, agent: Any) -> Callable[[], object]:
    InboxSurvey.objects.create(inbox=inbox, enabled=True)
    ticket = open_ticket(inbox)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.RESOLVED)
    ticket.refresh_from_db()
    request = actions.new_csat_request(ticket)
    request.save()
    return lambda: actions.do_send_request(request.pk)


def _answer(inbox: Any, agent: Any) -> Callable[[], object]:
    request = actions.do_send_survey_now(agent, open_ticket(inbox).pk)
    return lambda: actions.do_answer(request.pk, 5, comment="عالی بود")


def _resolve(inbox: Any, agent: Any) -> Callable[[], object]:
    ticket = open_ticket(inbox)
    return lambda: actions.do_resolve_without_survey(agent, ticket.pk)


CASES: dict[str, tuple[Callable[..., Any], list[str]]] = {
    "do_send_survey_now": (_send_now, ["message.created"]),
    "do_send_request": (_send_request, ["message.created"]),
    "do_answer": (_answer, ["survey.answered"]),
    "do_resolve_without_survey": (_resolve, ["ticket.status_changed"]),
}


def test_it_has_a_case_for_every_survey_action() -> None:
    found = {
        name
        for name, function in inspect.getmembers(actions, inspect.isfunction)
        if name.startswith("do_") and function.__module__ == actions.__name__
    }
    assert found == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_records_exactly_the_events_of_each_survey_action(
    name: str, email_inbox_a: Any, agent_a: Any
) -> None:
    arrange, expected = CASES[name]
    run = arrange(email_inbox_a, agent_a)
    last = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    run()
    recorded = list(TicketEvent.objects.filter(id__gt=last).order_by("id"))
    assert [e.type for e in recorded] == expected
    for event in recorded:
        payload = json.loads(json.dumps(event.payload))
        assert events.schema_for(event.type).model_validate(payload).model_dump(mode="json") == (
            payload
        )
