"""Inline-keyboard button presses (callback queries) through the shared Bot API kit."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from django.test import Client

from channels_in.bale.channel import PROFILE
from channels_in.bale.models import BaleConfig, BaleHandledUpdate
from helpdesk.channel_kit.botapi import handler
from helpdesk.channel_kit.botapi.parse import CallbackQuery
from helpdesk.channel_kit.botapi.shape import load_update
from helpdesk.models import Message
from tests.channels_in.bale.conftest import USER, run_tasks
from tests.channels_in.telegram.fake_bot_api import FakeBotApi

PRESSED: list[tuple[int, str]] = []


def rate(config: BaleConfig, query: CallbackQuery) -> str:
    """A channel's callback handler, as the kit calls it."""
    PRESSED.append((config.inbox_id, query.data))
    return f"امتیاز {query.data} ثبت شد"


def _press(query_id: str = "cb-1", data: str = "csat:5") -> dict[str, Any]:
    user = {"id": USER, "is_bot": False, "first_name": "مریم"}
    return {
        "update_id": 7001,
        "callback_query": {
            "id": query_id,
            "from": user,
            "chat_instance": "42",
            "data": data,
            "message": {
                "message_id": 77,
                "date": 1_764_700_000,
                "chat": {"id": USER, "type": "private", "first_name": "مریم"},
                "text": "از پاسخ ما راضی بودید؟",
            },
        },
    }


@pytest.mark.django_db(transaction=True)
def test_it_answers_a_button_press_once(bale_config: BaleConfig, fake_api: FakeBotApi) -> None:
    url = f"/channels/bale/{bale_config.inbox_id}/webhook/{bale_config.webhook_secret}/"
    body = json.dumps(_press())
    client = Client()
    assert client.post(url, body, content_type="application/json").json()["outcome"] == "button"
    assert client.post(url, body, content_type="application/json").json()["outcome"] == "duplicate"
    run_tasks()
    (answer,) = fake_api.calls_to("answerCallbackQuery")
    assert answer.params["callback_query_id"] == "cb-1"
    assert not Message.objects.exists()  # a press is no customer message
    assert BaleHandledUpdate.objects.filter(key="callback:cb-1").count() == 1


@pytest.mark.django_db
def test_the_channels_handler_says_what_a_press_means(bale_config: BaleConfig) -> None:
    profile = replace(PROFILE, callback_handler=f"{__name__}.rate")
    PRESSED.clear()
    outcome = handler.handle_update(profile, bale_config, load_update(_press("cb-2", "csat:4")))
    assert outcome == "button" and [(bale_config.inbox_id, "csat:4")] == PRESSED
    ignored = _press("cb-3")
    ignored["callback_query"]["message"]["chat"]["type"] = "group"
    assert handler.handle_update(profile, bale_config, load_update(ignored)) == "ignored"
    assert [(bale_config.inbox_id, "csat:4")] == PRESSED
