"""Malformed CTI bodies with the right token get a 400 (or 422) and store nothing.

Issue 14, hole 4: a 50,000-deep JSON body raised RecursionError (a 500); a NUL in
a form field reached PostgreSQL, which refuses it in text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from channels_in.phone.models import Call
from helpdesk.models import Message, TicketEvent

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

NEW_CALL = {"event": "newCall", "from": "09121234567", "to": "+982112345678", "direction": "in"}


def _post_json(token: str, body: bytes) -> Any:
    return Client().post(f"/api/v1/cti/{token}", body, content_type="application/json")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"event": "newCall", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "nested deeper"),
        (b"[" * 50_000 + b"]" * 50_000, "nested deeper"),
        (json.dumps(NEW_CALL | {"callId": "s\ud800"}).encode(), "surrogate"),
        (json.dumps(NEW_CALL | {"callId": "c1", "n": 2**64}).encode(), "64 bits"),
        (b'{"event": "newCall", "callId": NaN}', "NaN"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_it_answers_an_unreadable_json_body_with_400(
    phone_line: Any, body: bytes, words: str
) -> None:
    _, token = phone_line
    response = _post_json(token, body)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert not Call.objects.exists() and not TicketEvent.objects.exists()


@pytest.mark.parametrize("as_json", [False, True])
def test_it_refuses_nul_in_a_field_with_422(cti: Any, as_json: bool) -> None:
    response = cti(as_json=as_json, event="newCall", callId="c\x00 1")
    assert response.status_code == 422
    assert "callId" in response.json()["error"] and "NUL" in response.json()["error"]
    assert not Call.objects.exists() and not Message.objects.exists()


def test_it_refuses_nul_in_a_user_list(cti: Any) -> None:
    response = cti(as_json=True, event="newCall", callId="c2", user=["ok", "b\x00d"])
    assert response.status_code == 422 and "user" in response.json()["error"]
    assert not Call.objects.exists()
