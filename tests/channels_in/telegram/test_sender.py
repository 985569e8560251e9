"""Outbound: agent replies reach the fake Bot API through python-telegram-bot."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from channels_in.telegram.handler import handle_update
from channels_in.telegram.models import SentPart, TelegramConfig
from channels_in.telegram.parse import load_update as parse_json
from helpdesk.actions.messages import OutgoingFile, do_reply
from helpdesk.channels import DeliveryError
from helpdesk.models import ContactIdentity, DeliveryStatus, Message, Ticket
from helpdesk.tasks import deliver_message
from tests.channels_in.telegram.conftest import load_update, run_tasks
from tests.channels_in.telegram.fake_bot_api import FakeBotApi

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

CHAT = 111222333
PNG = b"\x89PNG\r\n\x1a\nfake-image"


@pytest.fixture
def ticket(bot_config: TelegramConfig) -> Ticket:
    handle_update(bot_config, parse_json(load_update("text_message")))
    return Ticket.objects.get()


def _reply(agent: Any, ticket: Ticket, text: str, *files: OutgoingFile) -> Message:
    message = do_reply(agent, ticket.pk, text, files=files)
    run_tasks()
    message.refresh_from_db()
    return message


def test_it_sends_a_reply_with_attachments(
    ticket: Ticket, agent_a: Any, fake_api: FakeBotApi
) -> None:
    message = _reply(
        agent_a,
        ticket,
        "Your order <#1042> ships today & arrives soon.",
        OutgoingFile("label.png", "image/png", PNG),
        OutgoingFile("invoice.pdf", "application/pdf", b"%PDF-1.7"),
    )
    assert message.delivery_status == DeliveryStatus.SENT, message.delivery_error
    (text,) = fake_api.calls_to("sendMessage")
    assert text.params["chat_id"] == CHAT and text.params["parse_mode"] == "HTML"
    assert text.params["text"] == "Your order &lt;#1042&gt; ships today &amp; arrives soon."
    (photo,) = fake_api.calls_to("sendPhoto")
    assert photo.files["photo"] == ("label.png", PNG)
    (document,) = fake_api.calls_to("sendDocument")
    assert document.files["document"] == ("invoice.pdf", b"%PDF-1.7")
    assert message.external_id == f"{CHAT}:5000"
    assert "reply_parameters" not in text.params  # answering the latest message: no quote


def test_it_splits_long_text_at_telegrams_limit(
    ticket: Ticket, agent_a: Any, fake_api: FakeBotApi
) -> None:
    long_text = ("سلام دنیا " * 900).strip()  # 9,899 characters
    message = _reply(agent_a, ticket, long_text)
    assert message.delivery_status == DeliveryStatus.SENT
    chunks = [c.params["text"] for c in fake_api.calls_to("sendMessage")]
    assert len(chunks) == 3 and all(len(c) <= 4096 for c in chunks)
    assert " ".join(chunks) == long_text


def test_it_keeps_formatting_of_an_html_reply(
    ticket: Ticket, agent_a: Any, fake_api: FakeBotApi
) -> None:
    do_reply(
        agent_a,
        ticket.pk,
        "Thanks",
        html="<p><strong>Thanks</strong> <em>Reza</em></p>"
        '<p><a href="https://example.com/t">track</a><script>x</script></p>',
    )
    run_tasks()
    sent = fake_api.calls_to("sendMessage")[0].params["text"]
    assert sent == '<b>Thanks</b> <i>Reza</i>\n<a href="https://example.com/t">track</a>'


def test_it_quotes_the_customer_when_an_answer_came_in_between(
    ticket: Ticket, agent_a: Any, fake_api: FakeBotApi
) -> None:
    _reply(agent_a, ticket, "First answer")
    _reply(agent_a, ticket, "Second answer")
    first, second = fake_api.calls_to("sendMessage")
    assert "reply_parameters" not in first.params
    assert second.params["reply_parameters"]["message_id"] == 11


def test_it_honours_retry_after_then_succeeds(
    ticket: Ticket, agent_a: Any, fake_api: FakeBotApi
) -> None:
    fake_api.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    before = timezone.now()
    message = _reply(agent_a, ticket, "Hello again")
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert "retry in 7" in message.delivery_error
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after is not None and retry.run_after >= before + timedelta(seconds=7)
    assert deliver_message.call(message.pk) == "sent"
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert [c.params["text"] for c in fake_api.calls_to("sendMessage")] == ["Hello again"] * 2


def test_it_does_not_resend_parts_already_delivered(
    ticket: Ticket, agent_a: Any, fake_api: FakeBotApi
) -> None:
    fake_api.fail("sendPhoto", 429, "Too Many Requests: retry after 1", retry_after=1)
    message = _reply(
        agent_a, ticket, "Here is the label", OutgoingFile("label.png", "image/png", PNG)
    )
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert deliver_message.call(message.pk) == "sent"
    assert len(fake_api.calls_to("sendMessage")) == 1
    assert len(fake_api.calls_to("sendPhoto")) == 2
    assert SentPart.objects.filter(message=message).count() == 2


def test_it_marks_a_blocked_customer_unreachable(
    ticket: Ticket, agent_a: Any, fake_api: FakeBotApi
) -> None:
    fake_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    message = _reply(agent_a, ticket, "Are you there?")
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "blocked the bot on Telegram" in message.delivery_error
    assert "reply on another channel" in message.delivery_error
    identity = ContactIdentity.objects.get(kind="telegram")
    assert identity.unreachable_reason == "blocked the bot on Telegram"
    assert not DBTaskResult.objects.filter(status="READY").exists()  # no retry


def test_it_fails_permanently_with_telegrams_words_on_400(
    ticket: Ticket, agent_a: Any, fake_api: FakeBotApi
) -> None:
    fake_api.fail("sendMessage", 400, "Bad Request: chat not found")
    message = _reply(agent_a, ticket, "Hello")
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error == "Telegram refused the message: Chat not found"


def test_it_texts_a_user_outside_any_ticket(ticket: Ticket, fake_api: FakeBotApi) -> None:
    """helpdesk.channels.DirectTexter (the portal's sign-in codes): plain text, no record."""
    from channels_in.telegram.sender import TelegramSender
    from helpdesk.models import Inbox

    sender = TelegramSender()
    assert sender.send_text("999888777", "code") is False  # never wrote to the bot
    assert sender.send_text(str(CHAT), "Your code: 123456 <b>") is True
    (call,) = fake_api.calls_to("sendMessage")
    assert call.params["chat_id"] == CHAT and call.params["text"] == "Your code: 123456 <b>"
    assert "parse_mode" not in call.params
    assert not SentPart.objects.exists() and Message.objects.count() == 1  # the inbound only
    fake_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(DeliveryError) as refused:
        sender.send_text(str(CHAT), "Your code: 654321")
    assert refused.value.permanent and "blocked the bot on Telegram" in refused.value.reason
    Inbox.objects.filter(pk=ticket.inbox_id).update(enabled=False)
    assert sender.send_text(str(CHAT), "code") is False  # only enabled inboxes' bots
