from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.ingest import receive
from helpdesk.models import Contact, Message, Ticket, TicketEvent, TicketStatus
from tests.factories import inbound

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


def test_it_opens_a_ticket_for_a_new_customer(email_inbox_a: Any) -> None:
    result = receive(inbound(email_inbox_a, sender="Reza@Example.com", subject="سلام"))
    assert result.created and result.ticket_created
    assert result.ticket.subject == "سلام"
    assert result.ticket.team_id == email_inbox_a.team_id
    assert result.ticket.contact.identities.get().address == "reza@example.com"
    types = list(TicketEvent.objects.values_list("type", flat=True))
    assert types == ["ticket.created", "message.created"]


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
