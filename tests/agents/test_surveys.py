"""The inbox's survey buttons, answers on the ticket timeline and on the contact card."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.models import Message, Ticket, TicketStatus
from helpdesk.surveys.actions import do_answer, do_send_survey_now
from helpdesk.surveys.models import InboxSurvey, RequestStatus, SkipReason, SurveyRequest

pytestmark = pytest.mark.django_db


def test_it_resolves_without_survey_from_the_inbox(
    login: Any,
    agent_a: Any,
    ticket_a: Any,
    email_inbox_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    InboxSurvey.objects.create(inbox=email_inbox_a, enabled=True)
    client = login(agent_a)
    page = client.get(f"/t/{ticket_a.pk}/").content.decode()
    assert "Resolve without survey" in page and "Send survey now" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/t/{ticket_a.pk}/resolve-without-survey/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert Ticket.objects.get(pk=ticket_a.pk).status == TicketStatus.RESOLVED
    request = SurveyRequest.objects.get(ticket=ticket_a)
    assert (request.status, request.skip_reason) == (RequestStatus.SKIPPED, SkipReason.AGENT)


def test_it_sends_a_survey_now_and_refuses_other_teams(
    login: Any, agent_a: Any, agent_b: Any, ticket_a: Any
) -> None:
    assert login(agent_b).post(f"/t/{ticket_a.pk}/survey/").status_code == 404
    response = login(agent_a).post(f"/t/{ticket_a.pk}/survey/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    request = SurveyRequest.objects.get(ticket=ticket_a)
    assert Message.objects.get(pk=request.message_id or 0).channel_meta["reason"] == "survey"


def test_it_shows_answers_on_the_timeline_and_the_contact_card(
    login: Any, agent_a: Any, agent_b: Any, ticket_a: Any
) -> None:
    request = do_send_survey_now(agent_a, ticket_a.pk)
    do_answer(request.pk, 2, comment="Too slow")
    client = login(agent_a)
    timeline = client.get(f"/t/{ticket_a.pk}/").content.decode()
    assert "The customer rated <bdi>2</bdi> of <bdi>5</bdi> (<bdi>CSAT</bdi>)" in timeline
    assert "Too slow" in timeline
    card = client.get(f"/c/{ticket_a.contact_id}/").content.decode()
    assert "Survey answers" in card and "data-survey-answer" in card and "Too slow" in card
    # Persian: the sentence in Persian with the score in Persian digits.
    from helpdesk.models import Agent

    Agent.objects.filter(user=agent_a).update(language="fa")
    persian = login(agent_a).get(f"/t/{ticket_a.pk}/").content.decode()
    assert "<bdi>۲</bdi>" in persian and "<bdi>۵</bdi>" in persian
    # Another team's agent sees no answer of this contact.
    assert login(agent_b).get(f"/c/{ticket_a.contact_id}/").status_code == 404
