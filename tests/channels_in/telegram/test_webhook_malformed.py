"""Malformed bodies with the right secret get a 400 and store nothing (issue 14, hole 4).

Each of these was a 500 from the running desk: PTB built a Message without a chat,
kept an object as `text`, the JSON decoder recursed 100,000 levels, a lone
surrogate reached the database driver, a 70-bit chat id overflowed a bigint.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from channels_in.telegram.models import HandledUpdate, TelegramChat
from helpdesk.models import Contact, ContactIdentity, Message, Ticket
from tests.channels_in.telegram.conftest import load_update

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

Post = Callable[..., httpx.Response]


def _without_chat() -> dict[str, Any]:
    update = load_update("text_message")
    del update["message"]["chat"]
    return update


def _deep(levels: int) -> bytes:
    return b'{"update_id": 1, "message": ' + b"[" * levels + b"]" * levels + b"}"


def _with_lone_surrogate() -> bytes:
    # json.dumps escapes the lone surrogate as \ud800, exactly what a client can send.
    return json.dumps(load_update("text_message", text="broken \ud800 text")).encode()


def _huge_chat_id() -> dict[str, Any]:
    update = load_update("text_message")
    update["message"]["chat"]["id"] = 2**70
    return update


def _huge_user_id() -> dict[str, Any]:
    update = load_update("text_message")
    update["message"]["from"]["id"] = -(2**64)
    return update


MALFORMED: dict[str, tuple[Callable[[], Any], str]] = {
    "update without chat": (_without_chat, "message.chat"),
    "text as an object": (lambda: load_update("text_message", text={"a": 1}), "message.text"),
    "100,000-deep JSON": (lambda: _deep(100_000), "nested deeper"),
    "lone surrogate": (_with_lone_surrogate, "surrogate"),
    "chat id beyond 64 bits": (_huge_chat_id, "64 bits"),
    "user id beyond 64 bits": (_huge_user_id, "64 bits"),
    "date beyond the year 9999": (lambda: load_update("text_message", date=10**15), "date"),
    "entities of the wrong type": (
        lambda: load_update("formatted_text", entities=[{"type": "bold", "offset": "0"}]),
        "entities",
    ),
}


def _nothing_stored() -> bool:
    return not (
        Message.objects.exists()
        or Ticket.objects.exists()
        or Contact.objects.exists()
        or ContactIdentity.objects.exists()
        or TelegramChat.objects.exists()
        or HandledUpdate.objects.exists()
    )


@pytest.mark.parametrize("case", list(MALFORMED))
def test_it_answers_a_malformed_update_with_400(post_update: Post, case: str) -> None:
    build, words = MALFORMED[case]
    body = build()
    response = post_update(None, raw=body if isinstance(body, bytes) else json.dumps(body).encode())
    assert response.status_code == 400, response.text
    assert words in response.json()["error"]
    assert _nothing_stored()


def test_it_stores_nul_free_text_and_names(post_update: Post) -> None:
    update = load_update("text_message", text="where\x00 is my order?")
    update["message"]["from"]["first_name"] = "Re\x00za"
    update["message"]["chat"]["first_name"] = "Re\x00za"
    assert post_update(update).status_code == 200
    message = Message.objects.get()
    assert message.text == "where is my order?"
    assert message.ticket.subject == "where is my order?"
    assert Contact.objects.get().name == "Reza Karimi"
    assert TelegramChat.objects.get().first_name == "Reza"


def test_it_still_stores_a_surrogate_pair_escape(post_update: Post) -> None:
    # ensure_ascii writes the emoji as the pair \ud83d\ude00: valid, one character.
    assert post_update(load_update("text_message", text="thanks \U0001f600")).status_code == 200
    assert Message.objects.get().text == "thanks \U0001f600"
