"""Replies and notes: what they store, what they record, and what they refuse."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.actions.messages import OutgoingFile, do_add_note, do_reply, do_retry_delivery
from helpdesk.models import DeliveryStatus, Direction, Message, Ticket, TicketStatus
from tests.helpdesk.actions_helpers import events_of, fresh, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def ticket(email_inbox_a: Any) -> Ticket:
    return open_ticket(email_inbox_a)


def test_it_queues_a_reply_and_waits_for_the_customer(ticket: Ticket, agent_a: Any) -> None:
    reply = do_reply(
        agent_a,
        ticket.pk,
        "سلام، بررسی می‌کنیم.",
        html='<p onclick="x()">سلام</p><script>alert(1)</script>',
        files=(OutgoingFile("note.txt", "text/plain", b"hi"),),
    )
    assert reply.direction == Direction.OUTBOUND
    assert reply.delivery_status == DeliveryStatus.QUEUED
    assert reply.html == "<p>سلام</p>"
    assert reply.attachments.get().name == "note.txt"
    after = fresh(ticket)
    assert after.status == TicketStatus.PENDING and after.version == ticket.version + 1
    assert after.first_response_at == reply.created_at == after.last_agent_message_at
    created = events_of(ticket, "message.created")[-1]
    assert created["message_id"] == reply.pk and created["direction"] == "outbound"
    assert created["delivery_status"] == "queued" and created["author_id"] == agent_a.pk
    assert events_of(ticket, "ticket.status_changed")[-1]["status"] == "pending"


def test_it_resolves_with_a_reply_when_asked(ticket: Ticket, agent_a: Any) -> None:
    first = do_reply(agent_a, ticket.pk, "one")
    do_reply(agent_a, ticket.pk, "two", resolve=True)
    after = fresh(ticket)
    assert after.status == TicketStatus.RESOLVED and after.resolved_at is not None
    assert after.first_response_at == first.created_at


def test_it_adds_a_note_that_is_never_delivered(ticket: Ticket, agent_a: Any) -> None:
    note = do_add_note(agent_a, ticket.pk, "call them tomorrow")
    assert note.direction == Direction.NOTE and note.delivery_status == ""
    after = fresh(ticket)
    assert after.status == ticket.status and after.version == ticket.version + 1
    assert events_of(ticket, "message.created")[-1]["direction"] == "note"


def test_it_refuses_empty_or_oversized_messages(
    ticket: Ticket, agent_a: Any, settings: Any
) -> None:
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(Invalid) as empty:
        do_reply(agent_a, ticket.pk, "   ")
    assert empty.value.field == "text"
    with pytest.raises(Invalid) as big:
        do_reply(agent_a, ticket.pk, "see file", files=(OutgoingFile("a.bin", "x/y", b"x" * 11),))
    assert big.value.field == "attachments" and "limit is 10" in big.value.message
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 0


def test_it_refuses_a_reply_on_a_merged_ticket(
    email_inbox_a: Any, admin_user: Any, agent_a: Any
) -> None:
    from helpdesk.actions.tickets import do_merge_tickets

    source, target = open_ticket(email_inbox_a), open_ticket(email_inbox_a)
    do_merge_tickets(admin_user, source.pk, target.pk)
    with pytest.raises(Invalid):
        do_reply(agent_a, source.pk, "hello")


def test_it_retries_only_a_failed_outbound_message(
    ticket: Ticket, agent_a: Any, agent_b: Any
) -> None:
    reply = do_reply(agent_a, ticket.pk, "hello")
    with pytest.raises(Invalid):
        do_retry_delivery(agent_a, reply.pk)  # still queued
    Message.objects.filter(pk=reply.pk).update(
        delivery_status=DeliveryStatus.FAILED, delivery_attempts=6, delivery_error="boom"
    )
    with pytest.raises(NotFound):
        do_retry_delivery(agent_b, reply.pk)
    with pytest.raises(NotFound):
        do_retry_delivery(agent_a, 999_999)
    retried = do_retry_delivery(agent_a, reply.pk)
    assert retried.delivery_status == DeliveryStatus.QUEUED and retried.delivery_attempts == 0
    assert events_of(ticket, "message.delivery")[-1] == {
        "ticket_id": ticket.pk,
        "message_id": reply.pk,
        "delivery_status": "queued",
        "error": "boom",
        "attempts": 0,
    }
    inbound = Message.objects.get(ticket=ticket, direction=Direction.INBOUND)
    with pytest.raises(Invalid):
        do_retry_delivery(agent_a, inbound.pk)
