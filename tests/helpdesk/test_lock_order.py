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
from helpdesk.actions.split import do_split_ticket
from helpdesk.actions.tickets import do_set_team
from helpdesk.ingest import receive
from helpdesk.models import DeliveryStatus, Direction, Message, Ticket
from tests.factories import inbound
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


def test_moving_and_splitting_a_ticket_while_its_customer_writes_never_deadlock(
    ticket: Ticket, email_inbox_a: Any, team_a: Any, team_b: Any, admin_user: Any
) -> None:
    # Ingest locks the contact, then the ticket; a move or a split rewrites the
    # contact's team array (a trigger locking the contact on PostgreSQL), so they
    # lock the contact first too. Locking the ticket first deadlocked here.
    for n in range(ROUNDS // 3):  # a message for each split to move
        receive(inbound(email_inbox_a, text=f"earlier {n}", in_reply_to="<question@customer>"))

    def messages() -> int:
        for n in range(ROUNDS):
            receive(inbound(email_inbox_a, text=f"more {n}", in_reply_to="<question@customer>"))
        return ROUNDS

    def moves() -> int:
        for n in range(ROUNDS):
            do_set_team(admin_user, ticket.pk, (team_b if n % 2 == 0 else team_a).pk)
        return ROUNDS

    def splits() -> int:
        for _ in range(ROUNDS // 3):
            first = Message.objects.filter(ticket=ticket).order_by("pk").values_list("pk")[:1]
            do_split_ticket(admin_user, ticket.pk, [first[0][0]])
        return ROUNDS // 3

    assert race(messages, moves, splits, timeout=120) == [ROUNDS, ROUNDS, ROUNDS // 3]
    assert Ticket.objects.get(pk=ticket.pk).team_id == team_a.pk
    assert Ticket.objects.filter(follows_up=ticket).count() == ROUNDS // 3
