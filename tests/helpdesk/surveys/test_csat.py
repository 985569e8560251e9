"""CSAT after resolving: scheduling, skip rules, the prompt message, answers and events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.actions.tickets import do_set_status, do_set_tags
from helpdesk.automation.actor import system_actor
from helpdesk.models import Direction, Message, TicketStatus
from helpdesk.surveys.actions import (
    do_answer,
    do_resolve_without_survey,
    do_send_request,
    do_send_survey_now,
)
from helpdesk.surveys.models import (
    RequestStatus,
    SkipReason,
    SurveyKind,
    SurveyRequest,
    SurveyResponse,
)
from tests.helpdesk.actions_helpers import events_of, open_ticket
from tests.helpdesk.surveys.helpers import resolve, resolved_ticket

pytestmark = pytest.mark.django_db


def _only_request(ticket: Any) -> SurveyRequest:
    return SurveyRequest.objects.get(ticket=ticket)


@pytest.mark.embedded
def test_it_sends_a_csat_prompt_with_the_link_after_resolving(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = resolved_ticket(email_inbox_a, agent_a, django_capture_on_commit_callbacks)
    request = _only_request(ticket)
    assert request.kind == SurveyKind.CSAT and request.status == RequestStatus.SCHEDULED
    assert request.channel == "email" and request.team_id == email_inbox_a.team_id

    assert do_send_request(request.pk) is not None
    request.refresh_from_db()
    prompt = Message.objects.get(pk=request.message_id or 0)
    assert request.status == RequestStatus.SENT
    assert prompt.direction == Direction.OUTBOUND and prompt.channel_meta["reason"] == "survey"
    assert "/survey/" in prompt.text and "How would you rate" in prompt.text
    # The mail's one-click links, one per score.
    assert all(f"?score={s}" in prompt.html for s in range(1, 6))
    assert prompt.channel_meta["survey"]["labels"]["5"] == "😍"
    # Sent once: a replayed task sends nothing more.
    assert do_send_request(request.pk) is None


def test_it_asks_persian_contacts_in_persian_with_persian_digits(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    ticket.contact.language = "fa"
    ticket.contact.save(update_fields=["language"])
    resolve(agent_a, ticket, django_capture_on_commit_callbacks)
    request = _only_request(ticket)
    do_send_request(request.pk)
    text = Message.objects.get(pk=SurveyRequest.objects.get(pk=request.pk).message_id or 0).text
    assert request.language == "fa"
    assert "۱" in text and "۵" in text


@pytest.mark.embedded
def test_it_records_one_answer_whatever_the_replays_and_lets_it_change(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = resolved_ticket(email_inbox_a, agent_a, django_capture_on_commit_callbacks)
    request = _only_request(ticket)
    do_send_request(request.pk)
    do_answer(request.pk, 2)
    do_answer(request.pk, 2)  # a double click
    do_answer(request.pk, 4, comment="Quick and kind")
    do_answer(request.pk, 4, comment="Quick and kind")  # a replay
    assert SurveyResponse.objects.filter(request=request).count() == 1
    answer = SurveyResponse.objects.get(request=request)
    assert (answer.score, answer.comment, answer.ticket_id) == (4, "Quick and kind", ticket.pk)
    # A one-click rating without a comment keeps the comment.
    do_answer(request.pk, 5)
    answer.refresh_from_db()
    assert (answer.score, answer.comment) == (5, "Quick and kind")
    answered = events_of(ticket, "survey.answered")
    assert [e["score"] for e in answered] == [2, 4, 5]
    assert [e["changed"] for e in answered] == [False, True, True]
    assert _only_request(ticket).status == RequestStatus.ANSWERED


def test_it_refuses_scores_off_the_scale_and_expired_or_unsent_surveys(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = resolved_ticket(email_inbox_a, agent_a, django_capture_on_commit_callbacks)
    request = _only_request(ticket)
    with pytest.raises(NotFound):
        do_answer(request.pk, 3)  # not sent yet
    do_send_request(request.pk)
    with pytest.raises(Invalid):
        do_answer(request.pk, 6)
    with pytest.raises(Invalid):
        do_answer(request.pk, 0)
    SurveyRequest.objects.filter(pk=request.pk).update(
        sent_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    with pytest.raises(NotFound):
        do_answer(request.pk, 3)
    assert not SurveyResponse.objects.exists()


def test_it_skips_when_the_agent_resolves_without_survey(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    with django_capture_on_commit_callbacks(execute=True):
        do_resolve_without_survey(agent_a, ticket.pk)
    request = _only_request(ticket)
    assert (request.status, request.skip_reason) == (RequestStatus.SKIPPED, SkipReason.AGENT)
    assert do_send_request(request.pk) is None


def test_it_skips_tickets_resolved_by_automation(
    csat_on: Any, email_inbox_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = resolved_ticket(email_inbox_a, system_actor(), django_capture_on_commit_callbacks)
    assert _only_request(ticket).skip_reason == SkipReason.AUTO_RESOLVED


def test_it_skips_tagged_tickets_and_reopened_ones_at_sending_time(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    csat_on.skip_tags = ["spam"]
    csat_on.save()
    tagged = open_ticket(email_inbox_a, sender="one@example.com")
    do_set_tags(agent_a, tagged.pk, ["Spam"])
    resolve(agent_a, tagged, django_capture_on_commit_callbacks)
    reopened = resolved_ticket(
        email_inbox_a, agent_a, django_capture_on_commit_callbacks, sender="two@example.com"
    )
    do_set_status(agent_a, reopened.pk, TicketStatus.OPEN)
    for ticket, reason in ((tagged, SkipReason.TAG), (reopened, SkipReason.REOPENED)):
        request = _only_request(ticket)
        assert do_send_request(request.pk) is None
        request.refresh_from_db()
        assert (request.status, request.skip_reason) == (RequestStatus.SKIPPED, reason)


def test_it_asks_a_contact_at_most_once_per_interval(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = resolved_ticket(email_inbox_a, agent_a, django_capture_on_commit_callbacks)
    do_send_request(_only_request(first).pk)
    second = resolved_ticket(
        email_inbox_a, agent_a, django_capture_on_commit_callbacks, subject="Another question"
    )
    assert second.pk != first.pk
    request = _only_request(second)
    assert do_send_request(request.pk) is None
    request.refresh_from_db()
    assert request.skip_reason == SkipReason.RECENT
    # Each resolution of one ticket gets its own request (once per resolution).
    do_set_status(agent_a, first.pk, TicketStatus.OPEN)
    resolve(agent_a, first, django_capture_on_commit_callbacks)
    assert SurveyRequest.objects.filter(ticket=first).count() == 2


def test_it_sends_nothing_when_the_inbox_has_csat_off(
    email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = resolved_ticket(email_inbox_a, agent_a, django_capture_on_commit_callbacks)
    assert not SurveyRequest.objects.filter(ticket=ticket).exists()


def test_it_lets_an_agent_send_a_survey_now_but_not_on_another_teams_ticket(
    email_inbox_a: Any, agent_a: Any, agent_b: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    with pytest.raises(NotFound):
        do_send_survey_now(agent_b, ticket.pk)
    request = do_send_survey_now(agent_a, ticket.pk)
    assert request.status == RequestStatus.SENT and request.message_id is not None


def test_it_waits_the_inbox_delay_and_the_scheduler_sends_what_a_lost_task_left(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from helpdesk.surveys.delivery import LATE, send_due

    csat_on.delay_minutes = 30
    csat_on.save()
    ticket = resolved_ticket(email_inbox_a, agent_a, django_capture_on_commit_callbacks)
    request = _only_request(ticket)
    task = DBTaskResult.objects.get(task_path__endswith="send_survey")
    assert task.run_after is not None
    assert abs((task.run_after - request.send_after).total_seconds()) < 1
    assert timedelta(minutes=29) < request.send_after - timezone.now() <= timedelta(minutes=30)
    assert send_due() == 0  # not due yet
    later = request.send_after + LATE + timedelta(seconds=1)
    assert send_due(later) == 1  # its task was lost: the scheduler's sweep sends it
    request.refresh_from_db()
    assert request.status == RequestStatus.SENT


def test_it_asks_natively_with_the_question_alone_and_keeps_links_for_email_copies(
    webchat_inbox_a: Any, agent_a: Any
) -> None:
    ticket = open_ticket(webchat_inbox_a, sender="visitor-key-1")
    request = do_send_survey_now(agent_a, ticket.pk)
    prompt = Message.objects.get(pk=request.message_id or 0)
    assert prompt.text == request.question  # the widget draws the scale under it
    # A copy mailed to a visitor who left still has the one-click links.
    assert "?score=1" in prompt.html and "?score=5" in prompt.html
