"""Medians and p90 from the duration histogram: within 1 % of the exact figures, used
only above a size threshold, the same through deltas and a rebuild."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.actions.tickets import do_claim, do_set_tags
from helpdesk.models import Inbox
from helpdesk.reports import backlog, histogram, metrics, people, percentiles, queries
from helpdesk.reports.models import TicketFact
from tests.helpdesk.reports.conftest import local
from tests.helpdesk.reports.test_timeline import script, vars_of
from tests.helpdesk.sla.conftest import Clock

pytestmark = [pytest.mark.embedded]


def test_it_keeps_every_bucketed_value_and_percentile_within_the_bound() -> None:
    assert histogram.RELATIVE_ERROR < 0.01
    rng = random.Random(18)
    for _ in range(5000):
        v = 10 ** rng.uniform(0, 7.5)
        assert abs(histogram.value_of(histogram.bucket_of(v)) - v) <= histogram.RELATIVE_ERROR * v
    assert histogram.value_of(histogram.bucket_of(0.4)) == 0.0
    assert histogram.percentile({}, 0.5) is None
    for size in (1, 2, 7, 500):
        values = [rng.choice([0.0, 10 ** rng.uniform(0, 6)]) for _ in range(size)]
        counts: dict[int, int] = {}
        histogram.add(counts, values)
        for p in (0.5, 0.9):
            exact = metrics.percentile(values, p)
            assert exact is not None
            approx = histogram.percentile(counts, p)
            assert approx is not None
            assert abs(approx - exact) <= histogram.RELATIVE_ERROR * exact + 1.0


@pytest.mark.django_db
def test_it_reads_percentiles_from_the_histogram_above_the_threshold(
    clock: Clock,
    telegram_inbox_a: Inbox,
    office_hours: Any,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, _b, c = script(clock, telegram_inbox_a, agent_a, supervisor_a, committed)
    committed(do_claim, agent_a, a.pk)
    committed(do_claim, supervisor_a, c.pk)
    team = TicketFact.objects.get(pk=a.pk).team_id_value
    periods = [
        queries.Filters(since=local(2, 0), until=local(16, 0)),  # whole weeks and days
        queries.Filters(since=local(4, 16, 3), until=local(8, 13, 1)),  # ragged edges
        queries.Filters(since=local(2, 0), until=local(16, 0), teams=frozenset({team})),
    ]
    exact = {}
    for f in periods:
        for bh in (False, True):
            g = queries.Filters(**{**vars_of(f), "business_hours": bh})
            exact[g] = (queries.summary(g), people.agents(g))
            assert not exact[g][0]["first_response_time"]["approximate"]  # two values
    monkeypatch.setattr(percentiles, "EXACT_UP_TO", 0)
    for g, (summary, agents) in exact.items():
        approx = queries.summary(g)
        for key in ("first_response_time", "resolution_time"):
            assert approx[key]["approximate"]
            assert approx[key]["avg_s"] == summary[key]["avg_s"]  # sums stay exact
            for stat in ("median_s", "p90_s"):
                want = summary[key][stat]
                assert abs(approx[key][stat] - want) <= histogram.RELATIVE_ERROR * want + 0.1
        rows = people.agents(g)
        assert [r["agent_id"] for r in rows] == [r["agent_id"] for r in agents]
        for row, want in zip(rows, agents, strict=True):
            assert row["approximate"]
            assert (row["handled"], row["replies"], row["resolved"]) == (
                want["handled"],
                want["replies"],
                want["resolved"],
            )
            m, w = row["first_response_median_s"], want["first_response_median_s"]
            assert abs(m - w) <= histogram.RELATIVE_ERROR * w + 0.1
    # An inbox filter is no histogram dimension: exact whatever the size.
    inbox = queries.Filters(since=local(2, 0), until=local(16, 0), inbox=telegram_inbox_a.pk)
    assert not queries.summary(inbox)["first_response_time"]["approximate"]


@pytest.mark.django_db
def test_it_counts_tags_and_agents_from_the_rollups_like_the_facts(
    clock: Clock,
    telegram_inbox_a: Inbox,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
) -> None:
    a, _b, c = script(clock, telegram_inbox_a, agent_a, supervisor_a, committed)
    committed(do_set_tags, agent_a, a.pk, ["vip", "refund"])
    committed(do_set_tags, agent_a, c.pk, ["vip"])
    committed(do_claim, agent_a, a.pk)
    for since, until in [
        (local(2, 0), local(10, 0)),  # whole half hours
        (local(4, 16, 3), local(8, 12, 59)),  # ragged edges: facts at both ends
        (local(8, 11, 1), local(8, 11, 20)),  # no whole half hour
    ]:
        f = queries.Filters(since=since, until=until)
        by_tickets = backlog._tags_of_tickets(f, 50)
        assert backlog.tags(f) == by_tickets, (since, until)
        created = queries.drill_down(f, "conversations_created")
        assert backlog.untagged(f) == sum(1 for x in created if not x.tags)
        counted = people.per_agent(f)
        from_facts: dict[int, dict[str, int]] = {}
        people._from_facts(f, f.since, f.until, from_facts)
        assert _nonzero(counted) == _nonzero(from_facts), (since, until)


def _nonzero(rows: dict[int, dict[str, int]]) -> dict[int, dict[str, int]]:
    return {k: v for k, v in rows.items() if any(v.values())}
