"""Fixtures for the reports tests: a clock, business hours on the inbox, facts after commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpdesk.models import BusinessHours, Inbox
from helpdesk.models.automation import InboxAutomation
from tests.helpdesk.sla.conftest import Clock

TEHRAN = ZoneInfo("Asia/Tehran")
# Saturday to Wednesday 09:00-17:00, Thursday 09:00-13:00, Friday closed.
WEEK = {
    **{day: [["09:00", "17:00"]] for day in ("sat", "sun", "mon", "tue", "wed")},
    "thu": [["09:00", "13:00"]],
    "fri": [],
}


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in Tehran (the 4th is a Wednesday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TEHRAN)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(local(4, 16))
    monkeypatch.setattr("django.utils.timezone.now", c)
    return c


@pytest.fixture
def office_hours(telegram_inbox_a: Inbox) -> BusinessHours:
    """The inbox's calendar, with Saturday 7 November a holiday."""
    hours = BusinessHours.objects.create(
        name="Office", time_zone="Asia/Tehran", weekly=WEEK, holidays=["2026-11-07"]
    )
    InboxAutomation.objects.create(inbox=telegram_inbox_a, business_hours=hours)
    return hours


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run an action and the callbacks of its commit (the facts' refresh among them)."""

    def run(action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run
