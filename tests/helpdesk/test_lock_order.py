"""One lock order for every action (ticket rows, then other rows, the event sequence
lock last): replies and delivery recordings on one ticket, at the same time, on
PostgreSQL with real connections, finish without a deadlock (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.actions.messages import (
    do_record_delivery,
    do_reply,
    do_start_delivery,
    do_update_inbound_message,
)
from helpdesk.models import DeliveryStatus, Direction, Message, Ticket
from tests.helpdesk.actions_helpers import events_of, open_ticket
from tests.helpdesk.concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

ROUNDS = 30


@pytest.fixture
def ticket(email_inbox_a: Any) -> Ticket:
    return open_ticket(email_inbox_a, external_id="<question@customer>")


def test_replies_and_delivery_recordings_on_one_ticket_never_deadlock(
    ticket: Ticket, agent_a: Any
) -> None:
    queued = [do_reply(agent_a, ticket.pk, f"earlier {n}") for n in range(ROUNDS)]
    attempts = [do_start_delivery(m.pk) for m in queued]
    inbound = Message.objects.get(ticket=ticket, direction=Direction.INBOUND)

    def replies() -> int:
        for n in range(ROUNDS):
            do_reply(agent_a, ticket.pk, f"concurrent {n}")
        return ROUNDS

    def deliveries() -> int:
        for message, attempt in zip(queued, attempts, strict=True):
            do_record_delivery(message.pk, status=DeliveryStatus.SENT, attempt=attempt)
        return ROUNDS

    def edits() -> int:  # a customer editing their message: message row, then an event
        for n in range(ROUNDS):
            do_update_inbound_message(inbound.pk, text=f"edited {n}", edited=True)
        return ROUNDS

    assert race(replies, deliveries, edits, timeout=120) == [ROUNDS, ROUNDS, ROUNDS]
    assert Message.objects.filter(
        pk__in=[m.pk for m in queued], delivery_status="sent"
    ).count() == (ROUNDS)
    assert len(events_of(ticket, "message.delivery")) == ROUNDS
    assert len(events_of(ticket, "message.updated")) == ROUNDS
    assert Message.objects.filter(ticket=ticket, direction=Direction.OUTBOUND).count() == 2 * ROUNDS
