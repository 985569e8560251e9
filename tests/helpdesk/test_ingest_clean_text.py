"""NUL characters and lone surrogates never reach the database, whatever the channel.

PostgreSQL refuses NUL in text and JSON, and no UTF-8 encoder accepts a lone
surrogate (a JSON "\\ud800" escape, a mail header decoded with surrogateescape):
the core cleans every InboundMessage as it is built (issue 14, hole 4).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from helpdesk.inbound import InboundAttachment, InboundMessage, Sender, ThreadHints, clean_text
from helpdesk.ingest import receive, receive_many
from helpdesk.models import Contact, Message
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain", "plain"),
        ("a\x00b\x00", "ab"),
        ("سلام\x00", "سلام"),
        ("bad \ud800 half", "bad \ufffd half"),
        ("\udcff\x00", "\ufffd"),
        ("pair \ud83d\ude00 kept", "pair \U0001f600 kept"),
        ("emoji \U0001f600", "emoji \U0001f600"),
    ],
)
def test_it_cleans_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    clean.encode("utf-8")


def test_it_returns_clean_text_as_is() -> None:
    text = "سلام، Where is my order? " * 10
    assert clean_text(text) is text


def _dirty_message(inbox: Any) -> InboundMessage:
    msg = inbound(
        inbox,
        sender="nul@example.com",
        name="Re\x00za \ud800",
        subject="Order\x00 42 \udc80",
        text="Hello\x00 there \ud83d\ude00",
        html="<p>Hello\x00 <b>\ud800</b></p>",
        attachments=(InboundAttachment("in\x00voice.pdf", "application/pdf", b"%PDF"),),
    )
    return replace(
        msg,
        meta={"header\x00": ["v\ud800", 3], "ok": "x"},
        thread=ThreadHints(in_reply_to="<gone\x00@example.com>", references=("<r\x00>",)),
    )


def test_it_stores_a_message_with_nul_and_lone_surrogates_cleaned(email_inbox_a: Any) -> None:
    result = receive(_dirty_message(email_inbox_a))
    message = Message.objects.get(pk=result.message.pk)
    assert message.text == "Hello there \U0001f600"
    assert "\x00" not in message.html and "\ufffd" in message.html
    assert message.ticket.subject == "Order 42 \ufffd"
    assert Contact.objects.get().name == "Reza \ufffd"
    assert message.channel_meta["header"] == ["v\ufffd", 3]
    assert message.attachments.get().name == "invoice.pdf"


def test_it_cleans_every_message_of_a_batch(email_inbox_a: Any) -> None:
    first = _dirty_message(email_inbox_a)
    second = replace(first, external_id="<second\x00@example.com>", text="again\x00")
    results = receive_many([first, second])
    assert [r.message.text for r in results] == ["Hello there \U0001f600", "again"]
    assert results[1].message.external_id == "<second@example.com>"


def test_it_cleans_a_message_built_in_pieces() -> None:
    sender = Sender(kind="email", address="a\x00@example.com", display_name="\ud800")
    assert (sender.address, sender.display_name) == ("a@example.com", "\ufffd")
    hints = ThreadHints(in_reply_to="<x\x00>", references=("<y\x00>", "<z>"))
    assert (hints.in_reply_to, hints.references) == ("<x>", ("<y>", "<z>"))
