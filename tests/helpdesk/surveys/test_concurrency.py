"""Double clicks that arrive at the same moment (two connections) store one answer."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.models import TicketEvent
from helpdesk.surveys.actions import do_answer, do_send_survey_now
from helpdesk.surveys.models import SurveyResponse
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_it_stores_one_answer_for_simultaneous_presses(email_inbox_a: Any, agent_a: Any) -> None:
    request = do_send_survey_now(agent_a, open_ticket(email_inbox_a).pk)
    race(*[lambda: do_answer(request.pk, 3, via="page") for _ in range(6)])
    assert SurveyResponse.objects.filter(request=request).count() == 1
    # The first press answered; the others were replays of the same answer.
    assert TicketEvent.objects.filter(type="survey.answered").count() == 1
