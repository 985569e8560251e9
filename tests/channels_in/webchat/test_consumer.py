"""The visitor socket, over the real ASGI stack, on the in-process and the Redis layer."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from channels_in.webchat import live
from channels_in.webchat.models import WebchatConversation
from channels_in.webchat.visitor import VisitorToken, user_hash
from helpdesk.models import Agent, ContactIdentity, Message, Presence, Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


def _texts(ticket: Ticket) -> list[str]:
    return list(ticket.messages.values_list("text", flat=True))


def _identities(contact: Any) -> dict[str, str]:
    return dict(contact.identities.values_list("kind", "address"))


async def _open(visitors: Any, config: Any, **hello: Any) -> tuple[Any, dict[str, Any]]:
    visitor = visitors(config.public_key)
    assert await visitor.connect()
    ready = await visitor.hello(**hello)
    assert ready["type"] == "ready", ready
    return visitor, ready


async def test_it_opens_a_conversation_and_stores_the_visitors_message(
    visitors: Any, chat_a: Any
) -> None:
    visitor, ready = await _open(visitors, chat_a, language="fa")
    assert ready["messages"] == [] and ready["token"]
    ack = await visitor.say("سلام، سفارشم نرسیده", client_id="first-message-1")
    assert ack["status"] == "sent" and not ack["duplicate"]
    echo = await visitor.until("message")
    assert echo["message"]["client_id"] == "first-message-1"
    message = await sync_to_async(Message.objects.select_related("ticket").get)()
    assert message.text == "سلام، سفارشم نرسیده" and message.html == ""
    assert message.ticket.inbox_id == chat_a.inbox_id
    assert message.ticket.team_id == chat_a.inbox.team_id
    conversation = await sync_to_async(WebchatConversation.objects.get)()
    identity = await sync_to_async(ContactIdentity.objects.get)(kind="webchat")
    assert identity.address == conversation.visitor_id == conversation.key


async def test_it_keeps_the_conversation_for_the_same_token(visitors: Any, chat_a: Any) -> None:
    first, ready = await _open(visitors, chat_a)
    await first.say("hello there", client_id="keep-000001")
    await first.close()
    again, resumed = await _open(visitors, chat_a, token=ready["token"])
    assert [m["text"] for m in resumed["messages"]] == ["hello there"]
    await again.say("still me", client_id="keep-000002")
    assert await sync_to_async(Ticket.objects.count)() == 1


@pytest.mark.parametrize(
    "origin", ["https://evil.example.net", "http://shop.example.com", "null", None]
)
async def test_it_refuses_a_page_the_inbox_does_not_list(
    visitors: Any, chat_a: Any, origin: str | None
) -> None:
    assert not await visitors(chat_a.public_key, origin=origin).connect()


@pytest.mark.parametrize(
    "origin", ["https://shop.example.com", "https://help.example.org", "http://testserver"]
)
async def test_it_accepts_listed_sites_and_the_desk_itself(
    visitors: Any, chat_a: Any, origin: str
) -> None:
    assert await visitors(chat_a.public_key, origin=origin).connect()


async def test_it_refuses_an_unknown_or_disabled_inbox(visitors: Any, chat_a: Any) -> None:
    assert not await visitors("no-such-key").connect()
    chat_a.inbox.enabled = False
    await sync_to_async(chat_a.inbox.save)()
    assert not await visitors(chat_a.public_key).connect()


async def test_it_refuses_a_forged_or_foreign_token(
    visitors: Any, chat_a: Any, chat_b: Any
) -> None:
    forged = VisitorToken("someone-elses-key", chat_a.inbox_id).dumps()[:-3] + "abc"
    visitor = visitors(chat_a.public_key)
    assert await visitor.connect()
    refused = await visitor.hello(token=forged)
    assert refused["type"] == "error" and refused["code"] == "bad_token"
    assert (await visitor.comm.receive_output(timeout=5))["type"] == "websocket.close"

    other = visitors(chat_b.public_key, origin="http://testserver")
    assert await other.connect()
    _ready = await other.hello()
    foreign = visitors(chat_a.public_key)
    assert await foreign.connect()
    refused = await foreign.hello(token=_ready["token"])
    assert refused["code"] == "bad_token"


async def test_it_never_shows_a_visitor_another_conversation(
    visitors: Any, chat_a: Any, agent_a: Any
) -> None:
    alice, alice_ready = await _open(visitors, chat_a)
    bob, _bob_ready = await _open(visitors, chat_a)
    await alice.say("alice's secret", client_id="alice-00001")
    await bob.say("bob's question", client_id="bob-0000001")
    await bob.until("message")
    assert await alice.until("message")  # her own echo
    # Bob's agent reply reaches Bob only.
    bob_ticket = await sync_to_async(Ticket.objects.get)(messages__text="bob's question")
    await sync_to_async(live.publish_agent_typing)(bob_ticket.pk, "Alice", True)
    assert (await bob.until("typing"))["name"] == "Alice"
    assert await alice.silent()
    # Alice's token reopens her history only, and writes into her ticket only.
    reopened, ready = await _open(visitors, chat_a, token=alice_ready["token"])
    assert [m["text"] for m in ready["messages"]] == ["alice's secret"]
    await reopened.say("more from alice", client_id="alice-00002")
    texts = await sync_to_async(_texts)(bob_ticket)
    assert texts == ["bob's question"]


async def test_it_answers_malformed_frames_with_an_error(visitors: Any, chat_a: Any) -> None:
    visitor = visitors(chat_a.public_key)
    assert await visitor.connect()
    await visitor.send({"type": "message", "client_id": "early-00001", "text": "hi"})
    assert (await visitor.next())["code"] == "not_ready"
    await visitor.comm.send_to(text_data="{not json")
    assert (await visitor.next())["code"] == "bad_frame"
    await visitor.comm.send_to(bytes_data=b"\x00\x01")
    assert (await visitor.next())["code"] == "bad_frame"
    await visitor.hello()
    bad = [
        {"type": "teleport"},
        {"type": "message", "client_id": "x", "text": "too short an id"},
        {"type": "message", "client_id": "fine-000001", "text": "   "},
        {"type": "message", "client_id": "fine-000001", "text": "hi", "html": "<b>"},
        {"type": "typing", "is_typing": "yes"},
        {"type": "prechat", "name": "Reza", "email": "not-an-address"},
        ["a", "list"],
    ]
    for frame in bad:
        await visitor.send(frame)
        error = await visitor.next()
        assert error["type"] == "error" and error["code"] == "bad_frame", (frame, error)
    await visitor.comm.send_to(text_data="x" * 20_000)
    assert (await visitor.next())["code"] == "too_large"
    await visitor.send({"type": "ping"})
    assert (await visitor.next())["type"] == "pong"
    assert await sync_to_async(Message.objects.count)() == 0


async def test_it_stores_a_resent_message_once(visitors: Any, chat_a: Any) -> None:
    visitor, ready = await _open(visitors, chat_a)
    first = await visitor.say("are you there?", client_id="resend-0001")
    await visitor.close()
    # The widget reconnects and sends its unacknowledged message again.
    again, _ready = await _open(visitors, chat_a, token=ready["token"])
    second = await again.say("are you there?", client_id="resend-0001")
    assert second["duplicate"] and second["message_id"] == first["message_id"]
    assert await sync_to_async(Message.objects.count)() == 1


async def test_it_rate_limits_a_conversation(
    visitors: Any, chat_a: Any, pinned_clock: None
) -> None:
    chat_a.rate_limit_per_minute = 2
    await sync_to_async(chat_a.save)()
    visitor, _ready = await _open(visitors, chat_a)
    await visitor.say("one", client_id="rate-000001")
    await visitor.say("two", client_id="rate-000002")
    await visitor.send({"type": "message", "client_id": "rate-000003", "text": "three"})
    refused = await visitor.until("error")
    assert refused["code"] == "rate_limited" and refused["client_id"] == "rate-000003"
    assert 0 < refused["retry_after"] <= 60
    assert await sync_to_async(Message.objects.count)() == 2


async def test_it_shows_visitor_html_as_text(visitors: Any, chat_a: Any) -> None:
    visitor, _ready = await _open(visitors, chat_a)
    await visitor.say("<img src=x onerror=alert(1)><b>hi</b>", client_id="html-000001")
    message = await sync_to_async(Message.objects.get)()
    assert message.text == "<img src=x onerror=alert(1)><b>hi</b>" and message.html == ""


async def test_it_passes_typing_both_ways(visitors: Any, chat_a: Any) -> None:
    visitor, _ready = await _open(visitors, chat_a)
    await visitor.say("typing test", client_id="typing-0001")
    ticket = await sync_to_async(Ticket.objects.get)()
    layer = get_channel_layer()
    agent_channel = await layer.new_channel()
    await layer.group_add(f"ticket.{ticket.pk}", agent_channel)
    await visitor.send({"type": "typing", "is_typing": True})
    frame = (await layer.receive(agent_channel))["event"]
    assert frame["seq"] is None and frame["type"] == "typing"
    assert frame["data"]["author_kind"] == "contact" and frame["data"]["active"] is True
    assert frame["data"]["ticket_id"] == ticket.pk
    await sync_to_async(live.publish_agent_typing)(ticket.pk, "Alice", True)
    typing = await visitor.until("typing")
    assert typing == {"type": "typing", "is_typing": True, "name": "Alice"}
    await layer.group_discard(f"ticket.{ticket.pk}", agent_channel)


async def test_it_turns_the_prechat_email_into_an_identity(visitors: Any, chat_a: Any) -> None:
    chat_a.prechat_form = True
    await sync_to_async(chat_a.save)()
    visitor, ready = await _open(visitors, chat_a)
    assert ready["prechat_required"]
    await visitor.send({"type": "prechat", "name": " Reza  Karimi ", "email": "Reza@Example.com"})
    saved = await visitor.until("prechat.saved")
    assert saved["name"] == "Reza Karimi" and saved["email"] == "reza@example.com"
    await visitor.say("my order", client_id="prechat-001")
    ticket = await sync_to_async(Ticket.objects.select_related("contact").get)()
    assert ticket.contact.name == "Reza Karimi"
    kinds = await sync_to_async(_identities)(ticket.contact)
    assert kinds["email"] == "reza@example.com"
    assert kinds["webchat"]


async def test_it_does_not_take_an_email_that_belongs_to_someone_else(
    visitors: Any, chat_a: Any, email_inbox_a: Any
) -> None:
    from helpdesk.ingest import receive
    from tests.factories import inbound

    owner = await sync_to_async(receive)(inbound(email_inbox_a, sender="owner@example.com"))
    visitor, _ready = await _open(visitors, chat_a)
    await visitor.send({"type": "prechat", "name": "Mallory", "email": "owner@example.com"})
    await visitor.until("prechat.saved")
    await visitor.say("hi", client_id="mallory-001")
    identity = await sync_to_async(ContactIdentity.objects.get)(address="owner@example.com")
    assert identity.contact_id == owner.ticket.contact_id


async def test_it_verifies_the_sites_signature_of_its_user(visitors: Any, chat_a: Any) -> None:
    chat_a.identity_secret = "site-secret"
    await sync_to_async(chat_a.save)()
    good = user_hash("site-secret", "user-42")
    visitor, ready = await _open(visitors, chat_a, user_id="user-42", user_hash=good)
    assert ready["visitor"]["verified"]
    await visitor.say("logged in", client_id="verify-0001")
    assert await sync_to_async(
        ContactIdentity.objects.filter(address=f"{chat_a.inbox_id}:user:user-42").exists
    )()
    # Another device of the same user sees the same conversation.
    _other, again = await _open(visitors, chat_a, user_id="user-42", user_hash=good)
    assert [m["text"] for m in again["messages"]] == ["logged in"]
    # A wrong signature is refused; the verified token alone (after logout) opens nothing.
    forged = visitors(chat_a.public_key)
    assert await forged.connect()
    refused = await forged.hello(user_id="user-42", user_hash=user_hash("guess", "user-42"))
    assert refused["code"] == "identity_refused"
    _anon, anonymous = await _open(visitors, chat_a, token=ready["token"])
    assert anonymous["messages"] == [] and anonymous["token"] != ready["token"]


async def test_it_tells_the_visitor_whether_an_agent_is_online(
    visitors: Any, chat_a: Any, agent_a: Any, agent_b: Any
) -> None:
    await sync_to_async(Agent.objects.update)(presence=Presence.OFFLINE)
    _v, ready = await _open(visitors, chat_a)
    assert ready["agents_online"] is False
    await sync_to_async(Agent.objects.filter(user=agent_b).update)(presence=Presence.ONLINE)
    _v, ready = await _open(visitors, chat_a)
    assert ready["agents_online"] is False  # team B's agent does not answer team A's chat
    await sync_to_async(Agent.objects.filter(user=agent_a).update)(presence=Presence.ONLINE)
    _v, ready = await _open(visitors, chat_a)
    assert ready["agents_online"] is True
