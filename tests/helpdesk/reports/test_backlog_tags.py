"""Backlog (open at the end of each bucket) and volume per tag, on the scripted timeline.

Ticket A: created Wed 4 Nov 16:00, resolved Sun 8 10:00, reopened 12:00, resolved
13:00 (its last resolve); B (Sun 10:50) merged into C (Sun 11:00), C never resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpdesk.actions.tickets import do_claim, do_set_tags
from helpdesk.models import Inbox
from helpdesk.reports import backlog, filters, people, queries, sums
from tests.helpdesk.reports.conftest import local
from tests.helpdesk.reports.test_timeline import script, vars_of
from tests.helpdesk.sla.conftest import Clock

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
TEHRAN = "Asia/Tehran"


def test_it_counts_the_open_conversations_at_the_end_of_each_day_and_hour(
    clock: Clock,
    telegram_inbox_a: Inbox,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
) -> None:
    a, _b, c = script(clock, telegram_inbox_a, agent_a, supervisor_a, committed)
    committed(do_set_tags, agent_a, c.pk, ["VIP"])
    period = queries.Filters(since=local(2, 0), until=local(10, 0))
    days = queries.timeseries(period, "backlog", "day", TEHRAN)
    # A open from the 4th until its last resolve (the 8th, 13:00); C from the 8th on.
    assert [p["value"] for p in days] == [0, 0, 1, 1, 1, 1, 1, 1]
    sunday = queries.Filters(since=local(8, 0), until=local(9, 0))
    hours = [p["value"] for p in queries.timeseries(sunday, "backlog", "hour", TEHRAN)]
    # Ends 01:00..11:00: A; 12:00 and 13:00: A and C (A resolved at 13:00, not before).
    assert hours == [1] * 11 + [2, 2] + [1] * 11
    assert backlog.open_at(period, local(8, 13, 1)) == 1  # inside a half hour: facts
    assert backlog.open_at(period, local(8, 12, 59)) == 2
    # From the facts with a tag filter: the same rule.
    tagged = queries.Filters(**{**vars_of(period), "tag": "vip"})
    assert [p["value"] for p in queries.timeseries(tagged, "backlog", "day", TEHRAN)] == [
        0,
        0,
        0,
        0,
        0,
        0,
        1,
        1,
    ]
    # The drill-down of a bucket lists exactly the conversations open at its end.
    noon = queries.Filters(since=local(8, 11), until=local(8, 12))
    assert [f.ticket_id for f in queries.drill_down(noon, "backlog")] == [a.pk, c.pk]
    assert [f.ticket_id for f in queries.drill_down(period, "backlog")] == [c.pk]


def test_it_counts_conversations_per_tag(
    clock: Clock,
    telegram_inbox_a: Inbox,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
) -> None:
    a, _b, c = script(clock, telegram_inbox_a, agent_a, supervisor_a, committed)
    committed(do_set_tags, agent_a, a.pk, ["vip", "refund"])
    committed(do_set_tags, agent_a, c.pk, ["vip"])
    period = queries.Filters(since=local(2, 0), until=local(10, 0))
    assert backlog.tags(period) == [
        {"tag": "vip", "created": 2, "resolved": 1},
        {"tag": "refund", "created": 1, "resolved": 1},
    ]
    assert backlog.untagged(period) == 0
    committed(do_set_tags, agent_a, c.pk, [])
    assert backlog.tags(period)[0] == {"tag": "refund", "created": 1, "resolved": 1}
    assert backlog.untagged(period) == 1
    # The per-tag figure drills down to the same conversations (the tag filter).
    refund = queries.Filters(**{**vars_of(period), "tag": "refund"})
    assert [f.ticket_id for f in queries.drill_down(refund, "conversations_created")] == [a.pk]


def test_it_reads_the_same_counts_and_heatmap_from_the_rollup_as_from_the_facts(
    clock: Clock,
    telegram_inbox_a: Inbox,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
) -> None:
    script(clock, telegram_inbox_a, agent_a, supervisor_a, committed)
    for since, until in [
        (local(2, 0), local(10, 0)),  # whole days: the rollup alone
        (local(4, 16, 3), local(8, 12, 59)),  # ragged edges: facts at both ends
        (local(8, 10, 40), local(8, 11, 5)),  # inside one half hour and the next
        (local(8, 11, 1), local(8, 11, 20)),  # no whole half hour: the facts alone
    ]:
        for business_hours in (False, True):
            f = queries.Filters(since=since, until=until, business_hours=business_hours)
            suffix = "bs" if business_hours else "s"
            assert sums.counts(f) == sums._from_facts(f, suffix), (since, until)
        f = queries.Filters(since=since, until=until)
        by_facts = [[0] * 24 for _ in range(7)]
        queries._heat_from_facts(
            filters.facts(f).filter(created_at__gte=since, created_at__lt=until),
            ZoneInfo(TEHRAN),
            6,
            by_facts,
        )
        assert queries.heatmap(f, TEHRAN, 6) == by_facts
    assert sums.counts(queries.Filters(since=local(2, 0), until=local(10, 0)))["created"] == 2


def test_it_gives_each_agent_the_median_their_own_filter_gives(
    clock: Clock,
    telegram_inbox_a: Inbox,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
) -> None:
    a, _b, c = script(clock, telegram_inbox_a, agent_a, supervisor_a, committed)
    committed(do_claim, agent_a, a.pk)
    committed(do_claim, supervisor_a, c.pk)
    period = queries.Filters(since=local(2, 0), until=local(10, 0))
    rows = people.agents(period)
    assert {r["agent_id"] for r in rows} == {agent_a.pk, supervisor_a.pk}
    for row in rows:  # one grouped query = the agent's own filter, one by one
        own = queries.Filters(**{**vars_of(period), "agent": row["agent_id"]})
        answered = filters.facts(own).filter(
            first_response_at__gte=own.since, first_response_at__lt=own.until
        )
        expected = queries.time_stats(answered, "first_response_s")["median_s"]
        assert row["first_response_median_s"] == expected
    medians = {r["agent_id"]: r["first_response_median_s"] for r in rows}
    assert medians == {agent_a.pk: 18 * 3600, supervisor_a.pk: 1800}
