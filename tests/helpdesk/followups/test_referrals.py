"""Referral: hand a ticket or a task to a colleague or a team, with a note."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.actions.errors import Forbidden, Invalid
from helpdesk.actions.tickets import do_assign
from helpdesk.followups.actions import do_create_task
from helpdesk.followups.models import Referral
from helpdesk.followups.referrals import do_refer_task, do_refer_ticket
from helpdesk.models import Inbox, Ticket, TicketEvent
from helpdesk.notifications.models import Notification
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db


def _types(ticket: Ticket) -> list[str]:
    return list(
        TicketEvent.objects.filter(ticket=ticket).order_by("id").values_list("type", flat=True)
    )


def test_it_refers_a_ticket_to_a_colleague_who_is_notified(
    email_inbox_a: Inbox, agent_a: Any, agent_a2: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    do_assign(agent_a, ticket.pk, agent_a.pk)
    before = TicketEvent.objects.count()
    referral = do_refer_ticket(agent_a, ticket.pk, to_user_id=agent_a2.pk, note="VIP, please call")
    ticket.refresh_from_db()
    assert ticket.assignee_id == agent_a2.pk
    assert _types(ticket)[-2:] == ["ticket.assigned", "ticket.referred"]
    assert TicketEvent.objects.count() == before + 2
    referred = TicketEvent.objects.get(type="ticket.referred").payload
    assert referred["note"] == "VIP, please call" and referred["referral_id"] == referral.pk
    [note] = Notification.objects.filter(recipient=agent_a2, kind="referral")
    assert note.ticket_id == ticket.pk and note.body == "VIP, please call"


def test_it_refers_a_ticket_to_another_team_unassigned(
    email_inbox_a: Inbox, agent_a: Any, agent_b: Any, team_b: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    do_assign(agent_a, ticket.pk, agent_a.pk)
    do_refer_ticket(agent_a, ticket.pk, to_team_id=team_b.pk, note="Billing question")
    ticket.refresh_from_db()
    assert (ticket.team_id, ticket.assignee_id) == (team_b.pk, None)
    assert _types(ticket)[-3:] == ["ticket.team_changed", "ticket.assigned", "ticket.referred"]
    assert Notification.objects.filter(recipient=agent_b, kind="referral").count() == 1


def test_it_lets_only_the_assignee_or_a_supervisor_refer_an_assigned_ticket(
    email_inbox_a: Inbox, agent_a: Any, agent_a2: Any, supervisor_a: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    do_assign(agent_a, ticket.pk, agent_a.pk)
    with pytest.raises(Forbidden):
        do_refer_ticket(agent_a2, ticket.pk, to_user_id=agent_a2.pk)
    do_refer_ticket(supervisor_a, ticket.pk, to_user_id=agent_a2.pk)
    assert Referral.objects.count() == 1


def test_it_refuses_a_colleague_who_cannot_read_the_ticket(
    email_inbox_a: Inbox, agent_a: Any, agent_b: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    with pytest.raises(Invalid):
        do_refer_ticket(agent_a, ticket.pk, to_user_id=agent_b.pk)
    with pytest.raises(Invalid):
        do_refer_ticket(agent_a, ticket.pk)
    assert not Referral.objects.exists()


def test_it_refers_a_task_and_the_receiver_is_told(
    email_inbox_a: Inbox, agent_a: Any, agent_a2: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    task = do_create_task(
        agent_a, title="Check the refund", ticket_id=ticket.pk, assignee_id=agent_a.pk
    )
    do_refer_task(agent_a, task.pk, to_user_id=agent_a2.pk, note="You know this customer")
    task.refresh_from_db()
    assert task.assignee_id == agent_a2.pk
    event = TicketEvent.objects.get(type="task.referred")
    assert event.ticket_id == ticket.pk
    assert event.payload["previous_assignee_id"] == agent_a.pk
    assert Notification.objects.filter(recipient=agent_a2, kind="referral").exists()
