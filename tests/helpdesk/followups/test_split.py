"""Ticket split: chosen messages move to a new ticket of the same contact."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.actions.errors import Forbidden, Invalid
from helpdesk.actions.split import do_split_ticket
from helpdesk.models import Inbox, Message, Ticket, TicketEvent
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db


def _two_messages(inbox: Inbox) -> tuple[Ticket, Message, Message]:
    ticket = open_ticket(inbox, sender="two@example.com", subject="Order and address")
    open_ticket(inbox, sender="two@example.com", ticket_number=ticket.pk, text="New address")
    first, second = Message.objects.filter(ticket=ticket).order_by("id")
    return ticket, first, second


def test_it_moves_the_chosen_messages_to_a_new_follow_up_ticket(
    email_inbox_a: Inbox, supervisor_a: Any
) -> None:
    ticket, first, second = _two_messages(email_inbox_a)
    new = do_split_ticket(supervisor_a, ticket.pk, [second.pk], subject="Address change")
    assert (new.contact_id, new.team_id, new.follows_up_id) == (
        ticket.contact_id,
        ticket.team_id,
        ticket.pk,
    )
    assert new.subject == "Address change"
    assert list(Message.objects.filter(ticket=new)) == [second]
    assert list(Message.objects.filter(ticket=ticket)) == [first]
    ticket.refresh_from_db()
    new.refresh_from_db()
    assert ticket.last_message_at == first.created_at and new.last_message_at == second.created_at
    split = TicketEvent.objects.filter(type="ticket.split").order_by("id")
    assert [e.ticket_id for e in split] == [ticket.pk, new.pk]
    assert split[0].payload == {"ticket_id": ticket.pk, "split_into": new.pk, "moved_messages": 1}


def test_it_refuses_moving_every_message_or_foreign_ones(
    email_inbox_a: Inbox, supervisor_a: Any, agent_a: Any
) -> None:
    ticket, first, second = _two_messages(email_inbox_a)
    other = open_ticket(email_inbox_a, sender="else@example.com")
    foreign = Message.objects.get(ticket=other)
    with pytest.raises(Invalid):
        do_split_ticket(supervisor_a, ticket.pk, [first.pk, second.pk])
    with pytest.raises(Invalid):
        do_split_ticket(supervisor_a, ticket.pk, [foreign.pk])
    with pytest.raises(Invalid):
        do_split_ticket(supervisor_a, ticket.pk, [])
    with pytest.raises(Forbidden):
        do_split_ticket(agent_a, ticket.pk, [second.pk])
    assert Ticket.objects.count() == 2
