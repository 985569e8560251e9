from __future__ import annotations

from typing import Any

import pytest

from helpdesk.ingest import receive
from helpdesk.models import AuthorKind, Contact, Message
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def automatic(ticket_id: int) -> list[Message]:
    return list(Message.objects.filter(ticket_id=ticket_id, author_kind=AuthorKind.SYSTEM))


def test_it_acknowledges_a_new_ticket_with_its_number(
    automation_a: Any, email_inbox_a: Any
) -> None:
    result = receive(inbound(email_inbox_a, name="Sara"))
    [ack] = automatic(result.ticket.pk)
    assert ack.text == f"Dear Sara, we received request #{result.ticket.pk}."
    assert ack.delivery_status == "queued" and ack.channel_meta["automatic"] is True
    receive(inbound(email_inbox_a, name="Sara", in_reply_to=result.message.external_id))
    assert len(automatic(result.ticket.pk)) == 1  # only new tickets are acknowledged


def test_it_acknowledges_in_the_customers_language(automation_a: Any, email_inbox_a: Any) -> None:
    first = receive(inbound(email_inbox_a, sender="reza@example.ir", name="رضا"))
    Contact.objects.filter(pk=first.ticket.contact_id).update(language="fa")
    second = receive(inbound(email_inbox_a, sender="reza@example.ir", name="رضا"))
    [ack] = automatic(second.ticket.pk)
    assert ack.text == f"رضا گرامی، درخواست شماره {second.ticket.pk} دریافت شد."


def test_it_answers_out_of_office_once(
    automation_a: Any, always_closed: Any, email_inbox_a: Any
) -> None:
    automation_a.business_hours = always_closed
    automation_a.save()
    first = receive(inbound(email_inbox_a))
    [ooo] = automatic(first.ticket.pk)
    assert ooo.channel_meta["reason"] == "out_of_office"
    receive(inbound(email_inbox_a, in_reply_to=first.message.external_id))
    assert len(automatic(first.ticket.pk)) == 1


def test_it_never_answers_auto_generated_mail(automation_a: Any, email_inbox_a: Any) -> None:
    result = receive(
        inbound(email_inbox_a, sender="mailer-daemon@example.com", auto_generated=True)
    )
    assert automatic(result.ticket.pk) == []


def test_it_caps_automatic_messages_per_contact_per_hour(
    automation_a: Any, email_inbox_a: Any
) -> None:
    automation_a.max_automatic_per_hour = 2
    automation_a.save()
    tickets = [receive(inbound(email_inbox_a, sender="loop@example.com")).ticket for _ in range(4)]
    sent = sum(len(automatic(t.pk)) for t in tickets)
    assert sent == 2
