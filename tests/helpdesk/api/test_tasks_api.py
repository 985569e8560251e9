"""The tasks API: CRUD, lists, refer; the permission rules of the rest of the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.followups.models import Task, TaskStatus
from helpdesk.models import Inbox, TicketEvent
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db

API = "/api/v1"


def test_it_creates_reads_changes_and_cancels_a_task(
    api: Any, agent_a: Any, email_inbox_a: Inbox, django_assert_max_num_queries: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    client = api(agent_a)
    due = (timezone.now() + timedelta(days=1)).isoformat()
    created = client.post(
        f"{API}/tasks", {"title": "Call back", "ticket_id": ticket.pk, "due_at": due}
    )
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["team_id"] == ticket.team_id and task["contact_id"] == ticket.contact_id
    assert client.get(f"{API}/tasks/{task['id']}").json()["title"] == "Call back"
    changed = client.patch(
        f"{API}/tasks/{task['id']}", {"status": "done", "expected_version": task["version"]}
    )
    assert changed.status_code == 200 and changed.json()["status"] == "done"
    stale = client.patch(f"{API}/tasks/{task['id']}", {"title": "x", "expected_version": 1})
    assert stale.status_code == 409
    cancelled = client.client.delete(f"{API}/tasks/{task['id']}")
    assert cancelled.json()["status"] == TaskStatus.CANCELLED
    for i in range(5):
        client.post(f"{API}/tasks", {"title": f"T{i}"})
    with django_assert_max_num_queries(8):
        page = client.get(f"{API}/tasks", list="mine", limit=3).json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    rest = client.get(f"{API}/tasks", list="mine", cursor=page["next_cursor"]).json()
    assert len(rest["items"]) == 2


def test_it_hides_other_teams_tasks_as_not_found(
    api: Any, agent_a: Any, agent_b: Any, team_a: Any
) -> None:
    created = api(agent_a).post(f"{API}/tasks", {"title": "Team A only", "team_id": team_a.pk})
    task_id = created.json()["id"]
    other = api(agent_b)
    assert other.get(f"{API}/tasks/{task_id}").status_code == 404
    assert other.patch(f"{API}/tasks/{task_id}", {"title": "mine now"}).status_code == 404
    assert other.get(f"{API}/tasks").json()["items"] == []
    assert other.post(f"{API}/tasks", {"title": "x", "team_id": team_a.pk}).status_code == 403


def test_it_refers_a_task_and_a_ticket(
    api: Any, agent_a: Any, agent_a2: Any, email_inbox_a: Inbox
) -> None:
    ticket = open_ticket(email_inbox_a)
    client = api(agent_a)
    task_id = client.post(f"{API}/tasks", {"title": "Chase"}).json()["id"]
    referred = client.post(
        f"{API}/tasks/{task_id}/refer", {"to_user_id": agent_a2.pk, "note": "yours"}
    )
    assert referred.status_code == 201 and referred.json()["task_id"] == task_id
    assert Task.objects.get(pk=task_id).assignee_id == agent_a2.pk
    ticket_ref = client.post(f"{API}/tickets/{ticket.pk}/refer", {"to_user_id": agent_a2.pk})
    assert ticket_ref.status_code == 201
    assert TicketEvent.objects.filter(type="ticket.referred", ticket=ticket).exists()
    assert client.post(f"{API}/tasks/{task_id}/refer", {"note": "nobody"}).status_code == 422
