"""Widget flooding (issue 14, hole 3): new conversations and uploads per address and per inbox.

Over the real ASGI stack (the socket) and Django's test client (uploads), on the
in-process layer and on Redis with PostgreSQL when REDIS_URL is set.
"""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from channels_in.webchat import texts
from channels_in.webchat.models import WebchatConversation
from channels_in.webchat.visitor import new_token
from helpdesk.models import Message, Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

SHOP = "https://shop.example.com"


@pytest.fixture
def chat_b_on_shop(chat_b: Any) -> Any:
    """Team B's chat inbox, embedded on the same site as team A's."""
    chat_b.allowed_origins = SHOP
    chat_b.save()
    return chat_b


async def _visitor(visitors: Any, config: Any, ip: str, **hello: Any) -> Any:
    visitor = visitors(config.public_key)
    visitor.comm.scope["client"] = (ip, 50000)
    assert await visitor.connect()
    ready = await visitor.hello(**hello)
    assert ready["type"] == "ready", ready
    return visitor


async def _first_words(visitor: Any, client_id: str) -> dict[str, Any]:
    """The visitor's first message: an ack, or the refusal."""
    await visitor.send({"type": "message", "client_id": client_id, "text": "hello?"})
    while True:
        frame = await visitor.next()
        if frame["type"] in {"ack", "error"}:
            found: dict[str, Any] = frame
            return found


async def test_it_no_longer_makes_a_ticket_per_connection(visitors: Any, chat_a: Any) -> None:
    """The probe: 40 connections without a token from one address made 40 tickets."""
    answers = []
    for i in range(40):
        visitor = await _visitor(visitors, chat_a, "198.51.100.7")
        answers.append(await _first_words(visitor, f"flood-{i:06d}"))
        await visitor.close()
    accepted = [a for a in answers if a["type"] == "ack"]
    refused = [a for a in answers if a["type"] == "error"]
    assert len(accepted) == 20  # HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_IP's default
    assert {r["code"] for r in refused} == {"too_many_conversations"}
    assert refused[0]["client_id"] == "flood-000020" and refused[0]["retry_after"] > 0
    assert await sync_to_async(Ticket.objects.count)() == 20
    assert await sync_to_async(WebchatConversation.objects.count)() == 20


async def test_it_limits_new_conversations_per_address_but_not_known_visitors(
    visitors: Any, chat_a: Any, settings: Any
) -> None:
    settings.HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_IP = 2
    tokens = []
    for i in range(2):
        visitor = await _visitor(visitors, chat_a, "203.0.113.5")
        assert (await _first_words(visitor, f"known-{i:06d}"))["type"] == "ack"
        tokens.append(visitor)
    third = await _visitor(visitors, chat_a, "203.0.113.5")
    refused = await _first_words(third, "third-000001")
    assert refused["code"] == "too_many_conversations"
    assert refused["message"] and 0 < refused["retry_after"] <= 3600
    # The socket stays open: the refusal is not a bad token.
    await third.send({"type": "ping"})
    assert (await third.until("pong"))["type"] == "pong"
    # A visitor who already has a conversation goes on writing.
    again = await _first_words(tokens[0], "known-000009")
    assert again["type"] == "ack"
    # Another address is not affected.
    elsewhere = await _visitor(visitors, chat_a, "192.0.2.44")
    assert (await _first_words(elsewhere, "other-000001"))["type"] == "ack"
    assert await sync_to_async(Ticket.objects.count)() == 3


async def test_it_limits_new_conversations_per_inbox(
    visitors: Any, chat_a: Any, chat_b_on_shop: Any, settings: Any
) -> None:
    settings.HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_INBOX = 2
    answers = []
    for i in range(3):
        visitor = await _visitor(visitors, chat_a, f"192.0.2.{i + 1}")
        answers.append((await _first_words(visitor, f"inbox-{i:06d}"))["type"])
    assert answers == ["ack", "ack", "error"]
    other_inbox = await _visitor(visitors, chat_b_on_shop, "192.0.2.9", language="en")
    assert (await _first_words(other_inbox, "inbox-b00001"))["type"] == "ack"


async def test_it_counts_a_prechat_form_as_a_new_conversation(
    visitors: Any, chat_a: Any, settings: Any
) -> None:
    settings.HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_IP = 1
    first = await _visitor(visitors, chat_a, "203.0.113.8")
    await first.send({"type": "prechat", "name": "Reza", "email": "reza@example.com"})
    assert (await first.until("prechat.saved"))["name"] == "Reza"
    second = await _visitor(visitors, chat_a, "203.0.113.8")
    await second.send({"type": "prechat", "name": "Bot", "email": "bot@example.com"})
    refused = await second.until("error")
    assert refused["code"] == "too_many_conversations" and "client_id" not in refused
    assert await sync_to_async(WebchatConversation.objects.count)() == 1


def _upload(client: Client, config: Any, token: str, ip: str, client_id: str) -> Any:
    form = {
        "token": token,
        "client_id": client_id,
        "file": SimpleUploadedFile("a.txt", b"hello", content_type="text/plain"),
    }
    return client.post(
        f"/chat/{config.public_key}/upload/", form, headers={"Origin": SHOP}, REMOTE_ADDR=ip
    )


def test_it_limits_uploads_per_address(client: Client, chat_a: Any, settings: Any) -> None:
    settings.HELPDESK_WEBCHAT_UPLOADS_PER_IP = 2
    token = new_token(chat_a).dumps()
    for i in range(2):
        assert _upload(client, chat_a, token, "203.0.113.5", f"up-{i:06d}").status_code == 200
    refused = _upload(client, chat_a, token, "203.0.113.5", "up-000002")
    assert refused.status_code == 429
    assert refused.json()["error"] == "upload_limited" and refused.json()["retry_after"] > 0
    assert int(refused["Retry-After"]) == refused.json()["retry_after"]
    assert refused["Access-Control-Allow-Origin"] == SHOP
    assert _upload(client, chat_a, token, "192.0.2.1", "up-000003").status_code == 200
    assert Message.objects.count() == 3


def test_it_limits_uploads_per_inbox(
    client: Client, chat_a: Any, chat_b_on_shop: Any, settings: Any
) -> None:
    settings.HELPDESK_WEBCHAT_UPLOADS_PER_INBOX = 2
    token = new_token(chat_a).dumps()
    codes = [
        _upload(client, chat_a, token, f"192.0.2.{i}", f"inbox-{i:06d}").status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
    chat_b = chat_b_on_shop
    other = _upload(client, chat_b, new_token(chat_b).dumps(), "192.0.2.1", "other-000001")
    assert other.status_code == 200


def test_it_refuses_a_new_visitors_first_file_past_the_conversation_limit(
    client: Client, chat_a: Any, settings: Any
) -> None:
    settings.HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_IP = 1
    first = _upload(client, chat_a, new_token(chat_a).dumps(), "203.0.113.9", "first-000001")
    assert first.status_code == 200
    refused = _upload(client, chat_a, new_token(chat_a).dumps(), "203.0.113.9", "second-00002")
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_conversations"
    assert Ticket.objects.count() == 1


def test_it_gives_the_widget_the_words_for_each_refusal(chat_a: Any) -> None:
    for language in ("en", "fa"):
        strings = texts.widget_settings(chat_a, language)["strings"]
        assert strings["too_many_conversations"] and strings["upload_limited"]
