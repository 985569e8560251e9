"""`receive_many`: a batch behaves like its messages received one by one, in order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpdesk.identities import InvalidAddress
from helpdesk.inbound import InboundAttachment
from helpdesk.ingest import receive, receive_many
from helpdesk.models import Contact, Message, Ticket, TicketEvent, TicketStatus
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_a_reply_threads_onto_its_parent_earlier_in_the_same_batch(email_inbox_a: Any) -> None:
    parent = inbound(email_inbox_a, external_id="<p@x>", sender="a@example.com")
    reply = inbound(email_inbox_a, external_id="<r@x>", sender="b@example.com", in_reply_to="<p@x>")
    deeper = inbound(email_inbox_a, references=("<p@x>", "<r@x>"), sender="a@example.com")
    results = receive_many([parent, reply, deeper])
    assert [r.created for r in results] == [True, True, True]
    assert [r.ticket_created for r in results] == [True, False, False]
    assert len({r.ticket.pk for r in results}) == 1
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 3 and ticket.version == 3
    assert Contact.objects.count() == 2


def test_the_same_message_twice_in_a_batch_is_stored_once(email_inbox_a: Any) -> None:
    earlier = receive(inbound(email_inbox_a, external_id="<old@x>"))
    again = inbound(email_inbox_a, external_id="<new@x>")
    results = receive_many([again, inbound(email_inbox_a, external_id="<old@x>"), again])
    assert [r.created for r in results] == [True, False, False]
    assert results[1].message.pk == earlier.message.pk
    assert results[2].message.pk == results[0].message.pk
    assert Message.objects.count() == 2


def test_a_chat_customer_s_messages_in_one_batch_share_one_ticket(webchat_inbox_a: Any) -> None:
    batch = [inbound(webchat_inbox_a, sender="visitor-7", subject="", text=t) for t in "abc"]
    results = receive_many(batch)
    assert len({r.ticket.pk for r in results}) == 1
    assert Contact.objects.count() == 1 and Ticket.objects.count() == 1
    later = receive(inbound(webchat_inbox_a, sender="visitor-7", subject="", text="d"))
    assert later.ticket.pk == results[0].ticket.pk


def test_events_are_numbered_in_the_order_of_the_batch(email_inbox_a: Any) -> None:
    first = inbound(email_inbox_a, external_id="<e1@x>")
    second = inbound(email_inbox_a, external_id="<e2@x>", in_reply_to="<e1@x>")
    third = inbound(email_inbox_a, external_id="<e3@x>", sender="other@example.com")
    results = receive_many([first, second, third])
    events = list(TicketEvent.objects.order_by("id").values_list("type", "payload"))
    assert [t for t, _ in events] == [
        "contact.created",
        "ticket.created",
        "message.created",
        "message.created",
        "contact.created",
        "ticket.created",
        "message.created",
    ]
    message_ids = [p["message_id"] for t, p in events if t == "message.created"]
    assert message_ids == [r.message.pk for r in results]


def test_a_resolved_ticket_reopens_once_for_two_replies_in_a_batch(email_inbox_a: Any) -> None:
    first = receive(inbound(email_inbox_a, external_id="<t@x>"))
    Ticket.objects.filter(pk=first.ticket.pk).update(
        status=TicketStatus.RESOLVED, resolved_at=timezone.now() - timedelta(days=1)
    )
    results = receive_many(
        [inbound(email_inbox_a, in_reply_to="<t@x>"), inbound(email_inbox_a, in_reply_to="<t@x>")]
    )
    assert [r.reopened for r in results] == [True, False]
    assert Ticket.objects.get(pk=first.ticket.pk).status == TicketStatus.OPEN
    changes = TicketEvent.objects.filter(type="ticket.status_changed")
    assert [e.payload["previous_status"] for e in changes] == ["resolved"]


def test_late_replies_to_a_closed_ticket_in_one_batch_share_one_follow_up(
    email_inbox_a: Any,
) -> None:
    old = receive(inbound(email_inbox_a, external_id="<closed@x>"))
    Ticket.objects.filter(pk=old.ticket.pk).update(status=TicketStatus.CLOSED)
    results = receive_many(
        [
            inbound(email_inbox_a, in_reply_to="<closed@x>"),
            inbound(email_inbox_a, in_reply_to="<closed@x>"),
        ]
    )
    follow_up = results[0].ticket
    assert results[0].ticket_created and follow_up.follows_up_id == old.ticket.pk
    assert results[1].ticket.pk == follow_up.pk and not results[1].ticket_created
    assert Ticket.objects.count() == 2


def test_attachments_of_every_message_are_stored(email_inbox_a: Any) -> None:
    files = (InboundAttachment("رسید.pdf", "application/pdf", b"%PDF-1.4 a"),)
    results = receive_many(
        [inbound(email_inbox_a, attachments=files), inbound(email_inbox_a, attachments=files)]
    )
    for result in results:
        stored = result.message.attachments.get()
        assert stored.name == "رسید.pdf" and stored.file.read() == b"%PDF-1.4 a"


def test_an_unusable_sender_refuses_the_batch_before_anything_is_stored(
    email_inbox_a: Any,
) -> None:
    with pytest.raises(InvalidAddress):
        receive_many([inbound(email_inbox_a), inbound(email_inbox_a, sender="no-at-sign")])
    assert Message.objects.count() == 0


def _queries_for(batch: list[Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        receive_many(batch)
    return len(queries)


def test_a_batch_costs_the_same_queries_whatever_its_size(email_inbox_a: Any) -> None:
    def conversations(tag: str, n: int) -> list[Any]:
        new = [
            inbound(email_inbox_a, external_id=f"<{tag}{i}@x>", sender=f"{tag}{i}@example.com")
            for i in range(n)
        ]
        replies = [inbound(email_inbox_a, in_reply_to=f"<{tag}{i}@x>") for i in range(n)]
        return new + replies

    receive_many(conversations("warm", 2))  # per-process caches (automation settings) filled
    small, large = _queries_for(conversations("s", 5)), _queries_for(conversations("l", 40))
    assert small == large
    assert Message.objects.count() == 4 + 10 + 80
