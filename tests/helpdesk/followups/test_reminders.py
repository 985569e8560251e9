"""Task reminders: at due time the assignee (or the team) is notified, once per due time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.automation.scheduler import run_due_work
from helpdesk.followups.actions import do_create_task, do_update_task
from helpdesk.followups.reminders import send_due_reminders
from helpdesk.models import TicketEvent
from helpdesk.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_it_reminds_the_assignee_once_when_the_task_is_due(agent_a: Any) -> None:
    now = timezone.now()
    task = do_create_task(agent_a, title="Call Sara back", due_at=now + timedelta(minutes=10))
    assert send_due_reminders(now) == 0
    later = now + timedelta(minutes=11)
    assert send_due_reminders(later) == 1
    assert send_due_reminders(later) == 0
    [note] = Notification.objects.filter(recipient=agent_a, kind="task_due")
    assert "Call Sara back" in note.title
    reminder = TicketEvent.objects.get(type="task.reminder")
    assert reminder.payload["task_id"] == task.pk and reminder.payload["assignee_id"] == agent_a.pk


def test_it_reminds_again_after_a_new_due_time(agent_a: Any) -> None:
    now = timezone.now()
    task = do_create_task(agent_a, title="Follow up", due_at=now - timedelta(minutes=1))
    assert run_due_work(now)["task_reminders"] == 1
    do_update_task(agent_a, task.pk, {"due_at": now + timedelta(hours=1)})
    assert send_due_reminders(now + timedelta(hours=2)) == 1
    assert Notification.objects.filter(recipient=agent_a, kind="task_due").count() == 2


def test_it_tells_the_whole_team_about_an_unassigned_team_task(
    agent_a: Any, agent_a2: Any, team_a: Any
) -> None:
    now = timezone.now()
    do_create_task(agent_a, title="Anyone", team_id=team_a.pk, due_at=now)
    assert send_due_reminders(now) == 1
    told = set(Notification.objects.filter(kind="task_due").values_list("recipient_id", flat=True))
    assert told == {agent_a.pk, agent_a2.pk}


def test_it_does_not_remind_finished_tasks(agent_a: Any) -> None:
    now = timezone.now()
    task = do_create_task(agent_a, title="Done already", due_at=now)
    do_update_task(agent_a, task.pk, {"status": "done"})
    assert send_due_reminders(now + timedelta(minutes=1)) == 0
