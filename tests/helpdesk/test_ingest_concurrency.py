"""The ingest path under real concurrency: two connections, one moment (PostgreSQL)."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from helpdesk.ingest import IngestResult, receive
from helpdesk.models import Contact, ContactIdentity, Message, Ticket
from tests.factories import inbound
from tests.helpdesk.concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

ROUNDS = 20


def test_it_stores_one_message_when_two_receivers_race_on_the_same_delivery(
    email_inbox_a: Any,
) -> None:
    for n in range(ROUNDS):
        msg = inbound(email_inbox_a, sender=f"racer{n}@example.com", external_id=f"<race-{n}@x>")
        first, second = race(partial(receive, msg), partial(receive, msg))
        assert isinstance(first, IngestResult) and isinstance(second, IngestResult)
        assert first.message.pk == second.message.pk
        assert [first.created, second.created].count(True) == 1
        assert Message.objects.filter(external_id=msg.external_id).count() == 1
        # The loser's transaction was rolled back whole: no orphan contact or ticket.
        assert Contact.objects.filter(identities__address=f"racer{n}@example.com").count() == 1
        assert Ticket.objects.filter(messages__external_id=msg.external_id).count() == 1
    assert Contact.objects.count() == ROUNDS
    assert Ticket.objects.count() == ROUNDS


def test_it_creates_one_contact_when_a_new_sender_writes_twice_at_once(
    email_inbox_a: Any,
) -> None:
    for n in range(ROUNDS):
        address = f"new{n}@example.com"
        one = inbound(email_inbox_a, sender=address, subject="first")
        two = inbound(email_inbox_a, sender=address, subject="second")
        first, second = race(partial(receive, one), partial(receive, two))
        assert first.created and second.created
        assert first.message.author_contact_id == second.message.author_contact_id
        assert ContactIdentity.objects.filter(address=address).count() == 1
        assert Contact.objects.filter(identities__address=address).count() == 1
    assert Contact.objects.count() == ROUNDS
    assert Message.objects.count() == 2 * ROUNDS


def test_it_keeps_a_chat_in_one_ticket_when_two_messages_arrive_together(
    telegram_inbox_a: Any,
) -> None:
    for n in range(ROUNDS):
        chat = str(7_000_000 + n)
        one = inbound(telegram_inbox_a, sender=chat, subject="", text="سلام")
        two = inbound(telegram_inbox_a, sender=chat, subject="", text="کسی هست؟")
        first, second = race(partial(receive, one), partial(receive, two))
        assert first.ticket.pk == second.ticket.pk
        assert [first.ticket_created, second.ticket_created].count(True) == 1
        assert Contact.objects.filter(identities__address=chat).count() == 1
    assert Ticket.objects.count() == ROUNDS


def test_it_keeps_a_known_contacts_chat_in_one_ticket_under_a_race(
    telegram_inbox_a: Any,
) -> None:
    # The contact exists (an earlier, closed conversation) but has no open ticket:
    # both messages look for one at once and must not open two.
    for n in range(ROUNDS):
        chat = str(8_000_000 + n)
        old = receive(inbound(telegram_inbox_a, sender=chat, subject="")).ticket
        Ticket.objects.filter(pk=old.pk).update(status="closed")
        one = inbound(telegram_inbox_a, sender=chat, subject="", text="again")
        two = inbound(telegram_inbox_a, sender=chat, subject="", text="and again")
        first, second = race(partial(receive, one), partial(receive, two))
        assert first.ticket.pk == second.ticket.pk != old.pk
        assert first.ticket.follows_up_id == old.pk
