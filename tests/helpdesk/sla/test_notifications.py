"""Breaches and due-soon warnings reach the notification center: the assignee (or the
team), the team's supervisors on breaches, never an agent who may not read the ticket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from helpdesk.actions.tickets import do_assign
from helpdesk.models import Ticket
from helpdesk.notifications.models import Notification
from helpdesk.sla.models import TicketSla
from helpdesk.sla.scheduler import tick
from tests.helpdesk.sla.conftest import Clock, make_policy

pytestmark = [pytest.mark.django_db]


def test_a_breach_tells_the_assignee_and_the_supervisors_once(
    email_inbox_a: Any,
    agent_a: Any,
    agent_a2: Any,
    supervisor_a: Any,
    agent_b: Any,
    new_ticket: Callable[..., Ticket],
    clock: Clock,
) -> None:
    make_policy(first=30)
    ticket = new_ticket(email_inbox_a)
    do_assign(supervisor_a, ticket.pk, agent_a.pk)
    due = TicketSla.objects.get(pk=ticket.pk).first_response_due_at
    assert due is not None
    tick(due - timedelta(minutes=10))  # due soon: the assignee only
    tick(due + timedelta(seconds=1))
    tick(due + timedelta(seconds=2))
    got = sorted(Notification.objects.values_list("recipient_id", "kind"))
    assert got == sorted(
        [
            (agent_a.pk, "sla_due_soon"),
            (agent_a.pk, "sla_breached"),
            (supervisor_a.pk, "sla_breached"),
        ]
    )
    assert not Notification.objects.filter(recipient_id__in=[agent_b.pk, agent_a2.pk]).exists()
