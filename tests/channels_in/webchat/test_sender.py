"""Agent replies reach the visitor's widget through the action and the delivery task."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from channels_in.webchat.sender import WebchatSender
from helpdesk.actions.messages import OutgoingFile, do_add_note, do_reply
from helpdesk.channels import DeliveryError
from helpdesk.ingest import receive
from helpdesk.models import DeliveryStatus, Message, Ticket
from helpdesk.tasks import deliver_message
from tests.factories import inbound

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


def _reply_and_deliver(agent: Any, ticket_id: int, text: str, **kw: Any) -> Message:
    message = do_reply(agent, ticket_id, text, **kw)
    deliver_message.call(message.pk)
    message.refresh_from_db()
    return message


async def _visitor_with_ticket(visitors: Any, chat: Any) -> tuple[Any, Ticket]:
    visitor = visitors(chat.public_key)
    assert await visitor.connect()
    ready = await visitor.hello(language="fa")
    visitor.token = ready["token"]
    await visitor.say("سلام", client_id="sender-0001")
    await visitor.until("message")
    ticket = await sync_to_async(Ticket.objects.get)()
    return visitor, ticket


async def test_it_delivers_an_agent_reply_live(visitors: Any, chat_a: Any, agent_a: Any) -> None:
    visitor, ticket = await _visitor_with_ticket(visitors, chat_a)
    message = await sync_to_async(_reply_and_deliver)(agent_a, ticket.pk, "سلام! چطور کمک کنم؟")
    frame = (await visitor.until("message"))["message"]
    assert frame["from"] == "agent" and frame["author"] == "Alice"
    assert frame["text"] == "سلام! چطور کمک کنم؟" and frame["id"] == message.pk
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.external_id == f"webchat:out:{message.pk}"


async def test_it_sends_agent_attachments_as_links(
    visitors: Any, chat_a: Any, agent_a: Any, client: Any
) -> None:
    visitor, ticket = await _visitor_with_ticket(visitors, chat_a)
    files = (OutgoingFile("invoice.pdf", "application/pdf", b"%PDF-1.4 test"),)
    await sync_to_async(_reply_and_deliver)(agent_a, ticket.pk, "here", files=files)
    attachment = (await visitor.until("message"))["message"]["attachments"][0]
    assert attachment["name"] == "invoice.pdf" and attachment["image"] is False
    response = await sync_to_async(client.get)(attachment["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert response["Content-Disposition"].startswith("attachment")


async def test_it_never_sends_internal_notes(visitors: Any, chat_a: Any, agent_a: Any) -> None:
    visitor, ticket = await _visitor_with_ticket(visitors, chat_a)
    await sync_to_async(do_add_note)(agent_a, ticket.pk, "internal: VIP customer")
    assert await visitor.silent()
    visitor2 = visitors(chat_a.public_key)
    assert await visitor2.connect()
    # History of the same visitor shows no note either.
    ready = await visitor2.hello(token=visitor.token)
    assert [m["text"] for m in ready["messages"]] == ["سلام"]


def test_it_says_when_the_visitor_has_left(chat_a: Any, agent_a: Any, email_inbox_a: Any) -> None:
    from channels_in.webchat.conversations import receive_from_visitor, save_prechat
    from channels_in.webchat.parse import Prechat
    from channels_in.webchat.visitor import new_token

    token = new_token(chat_a)
    save_prechat(chat_a, token, Prechat(type="prechat", name="Sara", email="sara@example.com"))
    received = receive_from_visitor(chat_a, token, client_id="gone-000001", text="bye")
    message = do_reply(agent_a, received.ticket_id, "we answered")
    result = WebchatSender().send(message)
    assert result.reached is False
    assert result.external_id == f"webchat:out:{message.pk}"


def test_it_refuses_a_ticket_without_a_chat_visitor(email_inbox_a: Any, agent_a: Any) -> None:
    ticket = receive(inbound(email_inbox_a)).ticket
    message = do_reply(agent_a, ticket.pk, "hello")
    with pytest.raises(DeliveryError) as refused:
        WebchatSender().send(message)
    assert refused.value.permanent


def test_it_continues_by_email_when_the_visitor_has_left(
    chat_a: Any, agent_a: Any, email_inbox_a: Any
) -> None:
    from email import message_from_bytes, policy

    from channels_in.email.models import MailboxConfig, TlsMode
    from channels_in.email.receive import process_raw
    from channels_in.webchat.conversations import receive_from_visitor, save_prechat
    from channels_in.webchat.parse import Prechat
    from channels_in.webchat.visitor import new_token
    from tests.channels_in.email.servers import start_smtp

    controller, smtp, port = start_smtp()
    try:
        MailboxConfig.objects.create(
            inbox=email_inbox_a,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_tls=TlsMode.NONE,
            from_address="support@desk.example",
            timeout=10,
        )
        token = new_token(chat_a)
        save_prechat(chat_a, token, Prechat(type="prechat", name="سارا", email="sara@example.com"))
        received = receive_from_visitor(chat_a, token, client_id="gone-000002", text="سلام؟")
        message = _reply_and_deliver(agent_a, received.ticket_id, "پاسخ ما: فردا ارسال می‌شود")
        assert message.delivery_status == DeliveryStatus.SENT
        # The core's delivery carried a copy by email (helpdesk.channels.send_copy_elsewhere).
        assert message.external_id == f"webchat:out:{message.pk}:copied-to-email"
        [mail] = smtp.received
        assert mail.rcpt_tos == ["sara@example.com"]
        parsed = message_from_bytes(mail.data, policy=policy.default)
        assert f"[#{received.ticket_id}]" in parsed["Subject"]
        assert "فردا ارسال می‌شود" in parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        # Her answer by email lands in the same (chat) ticket.
        answer = (
            f"From: sara@example.com\r\nTo: support@desk.example\r\n"
            f"Subject: Re: {parsed['Subject']}\r\nMessage-ID: <answer-1@example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nممنون!\r\n"
        ).encode()
        processed = process_raw(email_inbox_a, answer)
        assert processed.message_id is not None
        reply = Message.objects.get(pk=processed.message_id)
        assert reply.ticket_id == received.ticket_id
    finally:
        controller.stop()


def test_it_keeps_the_reply_in_the_chat_without_a_mailbox(
    chat_a: Any, agent_a: Any, email_inbox_a: Any
) -> None:
    from channels_in.webchat.conversations import receive_from_visitor, save_prechat
    from channels_in.webchat.parse import Prechat
    from channels_in.webchat.visitor import new_token

    token = new_token(chat_a)
    save_prechat(chat_a, token, Prechat(type="prechat", name="Sara", email="sara@example.com"))
    received = receive_from_visitor(chat_a, token, client_id="gone-000003", text="hi")
    message = _reply_and_deliver(agent_a, received.ticket_id, "answer")
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.external_id == f"webchat:out:{message.pk}:not-seen-yet"
