"""Surveys on Telegram: inline-keyboard buttons through the loopback Bot API server, a real
callback query posted to the webhook, answered, and the question edited to the rating."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from helpdesk.models import Contact, Message
from helpdesk.surveys.actions import do_send_survey_now
from helpdesk.surveys.models import SurveyResponse
from helpdesk.tasks import deliver_message
from tests.channels_in.telegram.conftest import load_update, run_tasks
from tests.channels_in.telegram.fake_bot_api import FakeBotApi

pytestmark = [pytest.mark.django_db(transaction=True)]

Post = Callable[..., httpx.Response]
USER = 111222333


def _press(
    post_update: Post, update_id: int, data: str, *, user: int = USER, message_id: int
) -> None:
    sender = {"id": user, "is_bot": False, "first_name": "Reza", "language_code": "fa"}
    chat = {"id": user, "first_name": "Reza", "type": "private"}
    update = {
        "update_id": update_id,
        "callback_query": {
            "id": f"q{update_id}",
            "from": sender,
            "message": {
                "message_id": message_id,
                "from": {"id": 1, "is_bot": True, "first_name": "Desk Support"},
                "chat": chat,
                "date": 1735689700,
                "text": "…",
            },
            "chat_instance": "-42",
            "data": data,
        },
    }
    assert post_update(update).status_code == 200


def test_it_asks_with_buttons_and_records_the_pressed_rating(
    post_update: Post, fake_api: FakeBotApi, agent_a: Any
) -> None:
    assert post_update(load_update("text_message")).status_code == 200
    ticket = Message.objects.get().ticket
    request = do_send_survey_now(agent_a, ticket.pk)
    assert deliver_message.call(request.message_id or 0) == "sent"
    sent = fake_api.calls_to("sendMessage")[-1]
    markup = sent.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    buttons = [b for row in markup["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == [
        f"survey:{request.pk}:{s}" for s in range(1, 6)
    ]
    assert "/survey/" not in sent.params["text"]  # the buttons replace the link
    prompt = Message.objects.get(pk=request.message_id or 0)
    prompt_id = int(str(prompt.external_id).split(":")[1])

    # A stranger's press (another Telegram user) is refused and records nothing.
    _press(post_update, 900000101, f"survey:{request.pk}:1", user=999, message_id=prompt_id)
    _press(post_update, 900000102, f"survey:{request.pk}:2", message_id=prompt_id)
    _press(post_update, 900000102, f"survey:{request.pk}:2", message_id=prompt_id)  # redelivered
    _press(post_update, 900000103, f"survey:{request.pk}:4", message_id=prompt_id)
    run_tasks()
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.answered_via) == (4, "telegram")
    answers = [c.params.get("text", "") for c in fake_api.calls_to("answerCallbackQuery")]
    assert len(answers) == 3  # once per query: the redelivery is not answered twice
    assert Contact.objects.get().language == "fa"
    assert any("۴" in text or "😊" in text for text in answers if text)
    edits = fake_api.calls_to("editMessageText")
    assert edits and int(edits[-1].params["message_id"]) == prompt_id
    assert "😊" in edits[-1].params["text"]


def test_it_ignores_buttons_that_are_not_a_surveys(post_update: Post, fake_api: FakeBotApi) -> None:
    assert post_update(load_update("text_message")).status_code == 200
    _press(post_update, 900000201, "survey:999999:9", message_id=5)
    _press(post_update, 900000202, "something-else", message_id=5)
    run_tasks()
    assert not SurveyResponse.objects.exists()
    assert len(fake_api.calls_to("answerCallbackQuery")) == 2
