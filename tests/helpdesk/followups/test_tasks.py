"""Follow-up tasks: create, change, finish, the lists and their counts, access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions.errors import Conflict, Forbidden, Invalid, NotFound
from helpdesk.followups.access import counts, task_list, visible_tasks
from helpdesk.followups.actions import do_create_task, do_set_task_status, do_update_task
from helpdesk.followups.models import Task, TaskStatus
from helpdesk.models import Inbox, TicketEvent
from tests.helpdesk.actions_helpers import events_of, open_ticket

pytestmark = pytest.mark.django_db


def test_it_creates_a_task_on_a_ticket_with_its_team_contact_and_a_timeline_event(
    email_inbox_a: Inbox, agent_a: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    due = timezone.now() + timedelta(days=1)
    task = do_create_task(
        agent_a,
        title="  Call   the customer ",
        ticket_id=ticket.pk,
        due_at=due,
        assignee_id=agent_a.pk,
    )
    assert task.title == "Call the customer"
    assert (task.team_id, task.contact_id, task.created_by_id) == (
        ticket.team_id,
        ticket.contact_id,
        agent_a.pk,
    )
    [created] = events_of(ticket, "task.created")
    assert created["task_id"] == task.pk and created["assignee_id"] == agent_a.pk
    row = TicketEvent.objects.get(type="task.created")
    assert row.ticket_id == ticket.pk and row.actor_id == agent_a.pk


def test_it_makes_a_task_without_team_or_assignee_the_actors_own(agent_a: Any) -> None:
    task = do_create_task(agent_a, title="Renew the contract")
    assert task.assignee_id == agent_a.pk and task.team_id is None
    row = TicketEvent.objects.get(type="task.created")
    assert row.ticket_id is None


def test_it_refuses_a_task_on_another_teams_ticket_or_for_another_team(
    email_inbox_a: Inbox, email_inbox_b: Inbox, agent_a: Any, team_b: Any
) -> None:
    ticket_b = open_ticket(email_inbox_b)
    with pytest.raises(NotFound):
        do_create_task(agent_a, title="x", ticket_id=ticket_b.pk)
    with pytest.raises(Forbidden):
        do_create_task(agent_a, title="x", team_id=team_b.pk)
    with pytest.raises(Invalid):
        do_create_task(agent_a, title="   ")
    mine = open_ticket(email_inbox_a, sender="mine@example.com")
    with pytest.raises(NotFound):  # their own ticket, another team's contact
        do_create_task(agent_a, title="x", ticket_id=mine.pk, contact_id=ticket_b.contact_id)
    assert not Task.objects.exists()


def test_it_refuses_an_assignee_outside_the_tasks_team(
    email_inbox_a: Inbox, agent_a: Any, agent_b: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    with pytest.raises(Invalid) as refused:
        do_create_task(agent_a, title="x", ticket_id=ticket.pk, assignee_id=agent_b.pk)
    assert refused.value.field == "assignee_id"


def test_it_changes_a_task_records_the_fields_and_checks_the_version(
    agent_a: Any, agent_a2: Any, team_a: Any
) -> None:
    task = do_create_task(agent_a, title="Chase", team_id=team_a.pk)
    due = timezone.now() + timedelta(hours=2)
    changed = do_update_task(
        agent_a, task.pk, {"due_at": due, "assignee_id": agent_a2.pk}, expected_version=1
    )
    assert changed.version == 2 and changed.assignee_id == agent_a2.pk
    [updated] = events_of(None, "task.updated")
    assert sorted(updated["fields"]) == ["assignee", "due_at"]
    assert updated["previous_assignee_id"] is None and updated["assignee_id"] == agent_a2.pk
    with pytest.raises(Conflict):
        do_update_task(agent_a, task.pk, {"title": "New"}, expected_version=1)
    with pytest.raises(Invalid):
        do_update_task(agent_a, task.pk, {"ticket_id": 3})


def test_it_finishes_and_reopens_a_task(agent_a: Any) -> None:
    task = do_create_task(agent_a, title="Send the invoice")
    done = do_set_task_status(agent_a, task.pk, TaskStatus.DONE)
    assert done.completed_at is not None and not done.is_active
    again = do_set_task_status(agent_a, task.pk, TaskStatus.OPEN)
    assert again.completed_at is None
    with pytest.raises(Invalid):
        do_set_task_status(agent_a, task.pk, "later")


def test_it_hides_tasks_of_other_teams_and_others_personal_tasks(
    agent_a: Any, agent_a2: Any, agent_b: Any, team_a: Any, admin_user: Any
) -> None:
    team_task = do_create_task(agent_a, title="Team work", team_id=team_a.pk)
    personal = do_create_task(agent_a, title="Mine only")
    assert set(visible_tasks(agent_a2)) == {team_task}
    assert set(visible_tasks(agent_b)) == set()
    assert set(visible_tasks(admin_user)) == {team_task, personal}
    with pytest.raises(NotFound):
        do_set_task_status(agent_b, team_task.pk, TaskStatus.DONE)


def test_it_lists_mine_team_and_overdue_with_counts(
    agent_a: Any, agent_a2: Any, team_a: Any, django_assert_num_queries: Any
) -> None:
    past = timezone.now() - timedelta(minutes=5)
    future = timezone.now() + timedelta(days=2)
    mine_late = do_create_task(agent_a, title="Late", due_at=past)
    do_create_task(agent_a, title="Later", due_at=future)
    team_open = do_create_task(agent_a2, title="Anyone", team_id=team_a.pk, due_at=past)
    finished = do_create_task(agent_a, title="Done")
    do_set_task_status(agent_a, finished.pk, TaskStatus.DONE)
    agent_a = type(agent_a).objects.get(pk=agent_a.pk)
    with django_assert_num_queries(3):  # the agent, their teams, one aggregate
        found = counts(agent_a)
    assert found == {"mine": 2, "team": 1, "overdue": 2}
    assert set(task_list(agent_a, "overdue")) == {mine_late, team_open}
    assert set(task_list(agent_a, "done")) == {finished}
