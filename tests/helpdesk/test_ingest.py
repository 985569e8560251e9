from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.identities import InvalidAddress
from helpdesk.inbound import InboundAttachment
from helpdesk.ingest import receive
from helpdesk.models import Contact, Message, Ticket, TicketEvent, TicketStatus
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_opens_a_ticket_for_a_new_customer(email_inbox_a: Any) -> None:
    result = receive(inbound(email_inbox_a, sender="Reza@Example.com", subject="سلام"))
    assert result.created and result.ticket_created
    assert result.ticket.subject == "سلام"
    assert result.ticket.team_id == email_inbox_a.team_id
    assert result.ticket.contact.identities.get().address == "reza@example.com"
    types = list(TicketEvent.objects.values_list("type", flat=True))
    assert types == ["contact.created", "ticket.created", "message.created"]
    # A known sender's next conversation announces no contact.
    receive(inbound(email_inbox_a, sender="reza@example.com", subject="again"))
    assert list(TicketEvent.objects.values_list("type", flat=True))[3:] == [
        "ticket.created",
        "message.created",
    ]


def test_it_stores_a_duplicate_delivery_once(email_inbox_a: Any) -> None:
    msg = inbound(email_inbox_a, external_id="<same@x>")
    first = receive(msg)
    second = receive(msg)
    assert first.created and not second.created
    assert second.message.pk == first.message.pk
    assert Message.objects.count() == 1


def test_it_threads_a_reply_by_in_reply_to(email_inbox_a: Any) -> None:
    first = receive(inbound(email_inbox_a, external_id="<a@x>"))
    reply = receive(inbound(email_inbox_a, sender="other@example.com", in_reply_to="<a@x>"))
    assert reply.ticket.pk == first.ticket.pk
    assert not reply.ticket_created


def test_it_refuses_a_ticket_number_from_a_stranger(email_inbox_a: Any) -> None:
    first = receive(inbound(email_inbox_a, sender="owner@example.com"))
    stranger = receive(
        inbound(email_inbox_a, sender="stranger@example.com", ticket_number=first.ticket.pk)
    )
    assert stranger.ticket.pk != first.ticket.pk
    same = receive(
        inbound(email_inbox_a, sender="owner@example.com", ticket_number=first.ticket.pk)
    )
    assert same.ticket.pk == first.ticket.pk


def test_it_reopens_a_recently_resolved_ticket(email_inbox_a: Any) -> None:
    first = receive(inbound(email_inbox_a, external_id="<r1@x>"))
    Ticket.objects.filter(pk=first.ticket.pk).update(
        status=TicketStatus.RESOLVED, resolved_at=timezone.now() - timedelta(days=1)
    )
    again = receive(inbound(email_inbox_a, in_reply_to="<r1@x>"))
    assert again.ticket.pk == first.ticket.pk and again.reopened
    assert Ticket.objects.get(pk=first.ticket.pk).status == TicketStatus.OPEN


def test_it_opens_a_linked_ticket_after_the_reopen_window(
    email_inbox_a: Any, settings: Any
) -> None:
    settings.HELPDESK_REOPEN_WINDOW_DAYS = 3
    first = receive(inbound(email_inbox_a, external_id="<old@x>"))
    Ticket.objects.filter(pk=first.ticket.pk).update(
        status=TicketStatus.RESOLVED, resolved_at=timezone.now() - timedelta(days=4)
    )
    again = receive(inbound(email_inbox_a, in_reply_to="<old@x>"))
    assert again.ticket_created
    assert again.ticket.follows_up_id == first.ticket.pk


def test_it_continues_a_telegram_conversation_in_the_open_ticket(telegram_inbox_a: Any) -> None:
    first = receive(inbound(telegram_inbox_a, sender="12345", subject=""))
    second = receive(inbound(telegram_inbox_a, sender="12345", subject="", text="و یک سوال دیگر"))
    assert second.ticket.pk == first.ticket.pk
    assert Contact.objects.count() == 1


def test_it_refuses_an_oversized_attachment_but_keeps_the_rest(
    email_inbox_a: Any, settings: Any
) -> None:
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 1024
    result = receive(
        inbound(
            email_inbox_a,
            text="فاکتور پیوست است",
            attachments=(
                InboundAttachment("invoice.pdf", "application/pdf", b"%PDF" + b"x" * 500),
                InboundAttachment("video.mp4", "video/mp4", b"v" * 1025),
                InboundAttachment("رسید.png", "image/png", b"\x89PNG" + b"p" * 100, "<img1@x>"),
            ),
        )
    )
    message = Message.objects.get(pk=result.message.pk)
    assert message.text == "فاکتور پیوست است"
    stored = {a.name: a for a in message.attachments.all()}
    assert set(stored) == {"invoice.pdf", "رسید.png"}
    assert stored["invoice.pdf"].file.read() == b"%PDF" + b"x" * 500
    assert stored["invoice.pdf"].size == 504
    assert stored["رسید.png"].content_id == "img1@x"
    assert message.channel_meta["refused_attachments"] == [
        {
            "name": "video.mp4",
            "size": 1025,
            "reason": "larger than the 1024 byte limit",
            "code": "too_large",
            "limit": 1024,
        }
    ]


def test_it_sanitizes_customer_html_and_keeps_channel_facts(email_inbox_a: Any) -> None:
    result = receive(
        inbound(
            email_inbox_a,
            html='<p onmouseover="steal()">سلام <a href="javascript:alert(1)">x</a></p>'
            "<script>alert(1)</script>",
            auto_generated=True,
        )
    )
    assert result.message.html == '<p>سلام <a rel="noopener noreferrer nofollow">x</a></p>'
    assert result.message.channel_meta["auto_generated"] is True


def test_it_records_what_the_inbox_needs_to_show_a_new_ticket(email_inbox_a: Any) -> None:
    result = receive(inbound(email_inbox_a, sender="sina@example.com", name="سینا", subject="X"))
    ticket = result.ticket
    created = TicketEvent.objects.get(type="ticket.created")
    assert created.team_id == email_inbox_a.team_id and created.ticket_id == ticket.pk
    assert created.payload == {
        "ticket_id": ticket.pk,
        "subject": "X",
        "contact_id": ticket.contact_id,
        "contact_name": "سینا",
        "inbox_id": email_inbox_a.pk,
        "channel": "email",
        "status": "new",
        "priority": 2,
        "follows_up": None,
    }
    message = TicketEvent.objects.get(type="message.created").payload
    assert message["message_id"] == result.message.pk and message["author_kind"] == "contact"
    assert ticket.version == 1 and ticket.last_customer_message_at == result.message.created_at


def test_it_stores_nothing_for_an_invalid_sender_address(email_inbox_a: Any) -> None:
    with pytest.raises(InvalidAddress):
        receive(inbound(email_inbox_a, sender="not-an-address"))
    assert not Message.objects.exists() and not Contact.objects.exists()


def test_it_stores_a_duplicate_once_even_across_a_later_status_change(
    email_inbox_a: Any,
) -> None:
    msg = inbound(email_inbox_a, external_id="<dup-later@x>")
    first = receive(msg)
    Ticket.objects.filter(pk=first.ticket.pk).update(status=TicketStatus.CLOSED)
    again = receive(msg)
    assert not again.created and again.message.pk == first.message.pk
    assert Ticket.objects.count() == 1
