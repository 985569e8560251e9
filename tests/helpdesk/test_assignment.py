"""Automatic assignment per team: off, round robin, least open, caps, online only."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.automation.actor import system_actor
from helpdesk.ingest import receive
from helpdesk.models import Agent, AssignmentMode, AssignmentPolicy, Presence, Ticket, TicketEvent
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _online(*users: Any) -> None:
    Agent.objects.filter(user__in=users).update(presence=Presence.ONLINE)


def _new_ticket(inbox: Any, n: int) -> Ticket:
    ticket = receive(factories.inbound(inbox, sender=f"c{n}@example.com")).ticket
    return Ticket.objects.get(pk=ticket.pk)


def test_it_leaves_tickets_unassigned_when_off(
    team_a: Any, agent_a: Any, email_inbox_a: Any
) -> None:
    _online(agent_a)
    AssignmentPolicy.objects.create(team=team_a, mode=AssignmentMode.OFF)
    assert _new_ticket(email_inbox_a, 1).assignee_id is None


def test_it_assigns_round_robin_among_online_agents(
    team_a: Any, agent_a: Any, agent_a2: Any, supervisor_a: Any, email_inbox_a: Any
) -> None:
    _online(agent_a, agent_a2)  # the supervisor stays offline
    AssignmentPolicy.objects.create(team=team_a, mode=AssignmentMode.ROUND_ROBIN)
    assignees = [_new_ticket(email_inbox_a, i).assignee_id for i in range(4)]
    assert assignees == [agent_a.pk, agent_a2.pk, agent_a.pk, agent_a2.pk]


def test_it_assigns_to_the_least_busy_agent_under_the_cap(
    team_a: Any, agent_a: Any, agent_a2: Any, email_inbox_a: Any
) -> None:
    _online(agent_a, agent_a2)
    AssignmentPolicy.objects.create(
        team=team_a, mode=AssignmentMode.LEAST_OPEN, max_open_per_agent=2
    )
    busy = _new_ticket(email_inbox_a, 0)  # goes to alice (tie -> lower id)
    assert busy.assignee_id == agent_a.pk
    assignees = [_new_ticket(email_inbox_a, i).assignee_id for i in range(1, 5)]
    assert assignees == [agent_a2.pk, agent_a.pk, agent_a2.pk, None]  # all at the cap of 2


def test_it_records_the_assignment_as_done_by_the_automation_user(
    team_a: Any, agent_a: Any, email_inbox_a: Any
) -> None:
    _online(agent_a)
    AssignmentPolicy.objects.create(team=team_a, mode=AssignmentMode.ROUND_ROBIN)
    ticket = _new_ticket(email_inbox_a, 1)
    event = TicketEvent.objects.get(ticket=ticket, type="ticket.assigned")
    # One assignment path: do_assign by the system actor (an inactive admin).
    assert event.actor_id == system_actor().pk and event.payload["assignee_id"] == agent_a.pk
    assert ticket.status == "open" and ticket.version == 2


def test_it_never_assigns_to_other_teams_or_offline_agents(
    team_a: Any, agent_a: Any, agent_b: Any, email_inbox_a: Any
) -> None:
    _online(agent_b)
    AssignmentPolicy.objects.create(team=team_a, mode=AssignmentMode.ROUND_ROBIN)
    assert _new_ticket(email_inbox_a, 1).assignee_id is None


def test_it_does_not_reassign_follow_up_messages(
    team_a: Any, agent_a: Any, agent_a2: Any, email_inbox_a: Any
) -> None:
    _online(agent_a, agent_a2)
    AssignmentPolicy.objects.create(team=team_a, mode=AssignmentMode.ROUND_ROBIN)
    first = receive(factories.inbound(email_inbox_a, external_id="<a@x>"))
    receive(factories.inbound(email_inbox_a, in_reply_to="<a@x>", subject="Re: Help"))
    assert Ticket.objects.get(pk=first.ticket.pk).assignee_id == agent_a.pk
    assert TicketEvent.objects.filter(type="ticket.assigned").count() == 1
