"""The demo shows the work on tickets: tasks (one overdue, a call-back), a referral, macros."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from helpdesk.followups.models import Referral, Task, TaskKind
from helpdesk.macros.models import Macro
from helpdesk.models import TicketEvent

pytestmark = pytest.mark.django_db


def test_it_seeds_tasks_a_referral_and_macros(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path / "var"
    call_command("seed_demo", stdout=None)
    assert Task.objects.count() == 4
    assert Task.objects.filter(kind=TaskKind.CALLBACK).count() == 1
    assert any(t.is_overdue for t in Task.objects.all())
    assert Referral.objects.get().note
    assert TicketEvent.objects.filter(type="ticket.referred").count() == 1
    assert Macro.objects.filter(owner__isnull=True).count() == 2
    assert Macro.objects.filter(owner__isnull=False).count() == 1
