"""Surveys in the widget: the rating inline in the conversation, answered over the socket."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from channels_in.webchat.parse import FrameError, parse_frame
from helpdesk.models import Ticket
from helpdesk.surveys.actions import do_send_survey_now
from helpdesk.surveys.models import SurveyResponse
from tests.factories import run_queued_tasks

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_it_draws_the_rating_inline_and_records_the_visitors_answer(
    visitors: Any, chat_a: Any, agent_a: Any
) -> None:
    visitor = visitors(chat_a.public_key)
    assert await visitor.connect()
    ready = await visitor.hello(language="fa")
    await visitor.say("ممنون، حل شد", client_id="survey-000001")
    await visitor.until("message")  # the echo of the visitor's own message
    ticket = await sync_to_async(Ticket.objects.get)()
    request = await sync_to_async(do_send_survey_now)(agent_a, ticket.pk)
    await sync_to_async(run_queued_tasks)()  # the delivery task sends it to the widget
    prompt = (await visitor.until("message"))["message"]
    survey = prompt["survey"]
    assert survey["request_id"] == request.pk and (survey["min"], survey["max"]) == (1, 5)
    assert survey["labels"]["5"] == "😍" and survey["score"] is None

    # A stranger's widget cannot answer it.
    stranger = visitors(chat_a.public_key)
    assert await stranger.connect()
    await stranger.hello()
    await stranger.send({"type": "rate", "request_id": request.pk, "score": 1})
    assert (await stranger.until("error"))["code"] == "survey_closed"

    for score in (4, 4, 5):  # a double click, then a change of mind
        await visitor.send({"type": "rate", "request_id": request.pk, "score": score})
        assert (await visitor.until("rated"))["score"] == score
    answers = await sync_to_async(
        lambda: list(SurveyResponse.objects.values_list("score", "answered_via"))
    )()
    assert answers == [(5, "webchat")]

    # Back later: the history shows the question with the answer given.
    await visitor.close()
    again = visitors(chat_a.public_key)
    assert await again.connect()
    resumed = await again.hello(token=ready["token"])
    shown = [m["survey"] for m in resumed["messages"] if m.get("survey")]
    assert shown and shown[0]["score"] == 5


def test_it_parses_rate_frames_strictly() -> None:
    frame = parse_frame('{"type": "rate", "request_id": 3, "score": 4}')
    assert frame.type == "rate"
    for bad in (
        '{"type": "rate", "request_id": 3, "score": 11}',
        '{"type": "rate", "request_id": 0, "score": 4}',
        '{"type": "rate", "request_id": 3, "score": "4"}',
        '{"type": "rate", "request_id": 3, "score": 4, "extra": 1}',
    ):
        with pytest.raises(FrameError):
            parse_frame(bad)
