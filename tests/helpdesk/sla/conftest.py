"""Fixtures for the SLA tests: a policy in calendar time, tickets opened by ingest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.ingest import receive
from helpdesk.models import Inbox, Ticket
from helpdesk.sla.models import SlaPolicy, SlaTarget
from tests import factories


def make_policy(
    name: str = "Standard",
    *,
    position: int = 0,
    conditions: list[dict[str, Any]] | None = None,
    first: int | None = 60,
    nxt: int | None = 120,
    resolution: int | None = 480,
    priorities: tuple[int, ...] = (1, 2, 3, 4),
    **kwargs: Any,
) -> SlaPolicy:
    """A policy with the same targets (minutes) for every priority listed."""
    policy = SlaPolicy.objects.create(
        name=name, position=position, conditions=conditions or [], **kwargs
    )
    for priority in priorities:
        SlaTarget.objects.create(
            policy=policy,
            priority=priority,
            first_response_minutes=first,
            next_response_minutes=nxt,
            resolution_minutes=resolution,
        )
    return policy


@pytest.fixture
def new_ticket() -> Callable[..., Ticket]:
    counter = iter(range(1, 10_000))

    def _make(inbox: Inbox, **kwargs: Any) -> Ticket:
        n = next(counter)
        kwargs.setdefault("sender", f"sla{n}-{inbox.pk}@example.com")
        kwargs.setdefault("subject", f"Question {n}")
        return receive(factories.inbound(inbox, **kwargs)).ticket

    return _make


class Clock:
    """timezone.now() under the test's control (events, ingest and auto_now read it)."""

    def __init__(self, start: Any) -> None:
        self.now = start

    def __call__(self) -> Any:
        return self.now

    def advance(self, **delta: float) -> Any:
        from datetime import timedelta

        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from django.utils import timezone

    c = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr("django.utils.timezone.now", c)
    return c
