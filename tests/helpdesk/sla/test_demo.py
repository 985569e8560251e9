"""The demo's SLA: a policy covers every open ticket, some are due soon, one breached."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from helpdesk.models import Ticket, TicketEvent, TicketStatus
from helpdesk.sla.models import SlaStatus, TicketSla

pytestmark = [pytest.mark.django_db]


def test_the_demo_covers_its_open_tickets_with_some_due_soon_and_one_breached(
    settings: Any, tmp_path: Any
) -> None:
    settings.VAR_DIR = tmp_path / "var"
    call_command("seed_demo", stdout=StringIO())
    open_ids = set(
        Ticket.objects.filter(status__in=TicketStatus.active()).values_list("id", flat=True)
    )
    rows = TicketSla.objects.filter(pk__in=open_ids)
    assert open_ids and {r.ticket_id for r in rows if r.policy_id} == open_ids
    soon = timezone.now() + timedelta(minutes=settings.HELPDESK_SLA_DUE_SOON_MINUTES)
    running_soon = rows.filter(status=SlaStatus.ACTIVE, next_due_at__lte=soon)
    assert running_soon.filter(next_due_at__gt=timezone.now()).count() >= 2  # "some due soon"
    assert rows.filter(status=SlaStatus.BREACHED).count() == 1
    breached = rows.get(status=SlaStatus.BREACHED)
    assert TicketEvent.objects.filter(ticket_id=breached.pk, type="sla.breached").count() == 1
    assert "sla" in Ticket.objects.get(pk=breached.pk).tags  # the breach rule fired
