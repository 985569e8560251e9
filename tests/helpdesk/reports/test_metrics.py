"""Percentiles: the Python definition (SQLite) and PostgreSQL's percentile_cont agree."""

from __future__ import annotations

import random
from typing import Any

import pytest

from helpdesk.reports import metrics, queries
from helpdesk.reports.models import TicketFact


@pytest.mark.embedded
def test_it_interpolates_percentiles_like_percentile_cont() -> None:
    assert metrics.percentile([], 0.5) is None
    assert metrics.percentile([10.0], 0.9) == 10.0
    assert metrics.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert metrics.percentile([0.0, 100.0], 0.9) == pytest.approx(90.0)
    assert metrics.time_stats([30.0, 10.0, 20.0]) == {
        "median_s": 20.0,
        "p90_s": 28.0,
        "avg_s": 20.0,
    }


@pytest.mark.django_db
def test_it_gives_the_same_stats_in_the_database_as_in_python(
    email_inbox_a: Any, committed: Any
) -> None:
    from helpdesk.ingest import receive
    from tests import factories

    rng = random.Random(7)
    values = [round(rng.uniform(0, 90_000), 1) for _ in range(25)]
    for n, value in enumerate(values):
        ticket = committed(
            receive, factories.inbound(email_inbox_a, sender=f"p{n}@example.com")
        ).ticket
        TicketFact.objects.filter(pk=ticket.pk).update(first_response_s=value)
    stats = queries.time_stats(TicketFact.objects.all(), "first_response_s")
    assert stats == metrics.time_stats(values)
