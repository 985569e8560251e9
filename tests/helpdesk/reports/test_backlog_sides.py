"""The backlog's two ways to the level at a period's start give the facts' answer.

Before-sum: created minus resolved of every rollup row before the period. Open-now:
the conversations open now minus the rollup rows from the period's start on. Both
are checked against the facts themselves (open at t: created before t, last resolve
not before t, merged ones left out) on the scripted timeline (A resolved, reopened,
resolved; B merged into C) plus, on Sunday 8 November: D (team B) created 14:05,
resolved 14:20, reopened 14:25 (all inside one half hour) and resolved 15:10; E
(inbox A by email) created 14:15, claimed by agent A, resolved 14:50; F created 15:20,
never resolved; now is 15:17 (inside a half hour) when F is not there yet, 15:47 after.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from helpdesk.actions.tickets import do_claim, do_set_status
from helpdesk.models import Inbox
from helpdesk.reports import backlog, queries
from helpdesk.reports.filters import facts
from tests.helpdesk.reports.conftest import local
from tests.helpdesk.reports.test_timeline import customer, script
from tests.helpdesk.sla.conftest import Clock

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
TEHRAN = "Asia/Tehran"


def by_facts(f: queries.Filters, moment: datetime) -> int:
    still_open = Q(resolved_at__isnull=True) | Q(resolved_at__gte=moment)
    return facts(f).filter(still_open, created_at__lt=moment).count()


def expected_series(f: queries.Filters, interval: str) -> list[int]:
    starts = queries.bucket_starts(f, interval, ZoneInfo(TEHRAN))
    ends = [min(e, f.until) for e in [*starts[1:], f.until]]
    return [by_facts(f, e) for e in ends]


def timeline(
    clock: Clock,
    inboxes: tuple[Inbox, Inbox, Inbox],
    people: tuple[Any, Any, Any],
    run: Callable[..., Any],
) -> None:
    telegram_a, email_a, email_b = inboxes
    agent_a, boss_a, agent_b = people
    script(clock, telegram_a, agent_a, boss_a, run)
    steps: list[tuple[tuple[int, int], Callable[[], Any]]] = [
        ((14, 5), lambda: customer(email_b, "d@example.com", run)),
        ((14, 15), lambda: customer(email_a, "e@example.com", run)),
    ]
    made: list[Any] = []
    for (hour, minute), step in steps:
        clock.now = local(8, hour, minute)
        made.append(step())
    d, e = made
    for (hour, minute), actor, ticket, status in (
        ((14, 20), agent_b, d, "resolved"),
        ((14, 25), agent_b, d, "open"),
        ((14, 50), agent_a, e, "resolved"),
        ((15, 10), agent_b, d, "resolved"),
    ):
        clock.now = local(8, hour, minute)
        if ticket is e and status == "resolved":
            run(do_claim, agent_a, e.pk)
        run(do_set_status, actor, ticket.pk, status)


def filters_to_check(inbox: Inbox, team_a: Any, team_b: Any, agent_a: Any) -> list[dict[str, Any]]:
    return [
        {},
        {"team": team_a.pk},
        {"team": team_b.pk},
        {"teams": frozenset({team_a.pk})},  # an agent's scope
        {"inbox": inbox.pk},
        {"agent": agent_a.pk},
    ]


@pytest.mark.parametrize("from_now", [False, True])
def test_it_gives_the_facts_backlog_from_either_side(
    from_now: bool,
    clock: Clock,
    telegram_inbox_a: Inbox,
    email_inbox_a: Inbox,
    email_inbox_b: Inbox,
    team_a: Any,
    team_b: Any,
    agent_a: Any,
    supervisor_a: Any,
    agent_b: Any,
    committed: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inboxes = (telegram_inbox_a, email_inbox_a, email_inbox_b)
    timeline(clock, inboxes, (agent_a, supervisor_a, agent_b), committed)
    monkeypatch.setattr(backlog, "_counted_from_now", lambda first, last: from_now)
    moments = [local(8, h, m) for h in (10, 11, 13, 14, 15) for m in (0, 10, 20, 22, 27, 30, 55)]
    for now in (local(8, 15, 17), local(8, 15, 47)):
        clock.now = now
        if now.minute == 47:
            customer(telegram_inbox_a, "600", committed)  # F, at 15:47 (after 15:17's checks)
        periods = [
            (local(2, 0), local(8, 14), "day"),  # in the past
            (local(8, 9), local(8, 14, 20), "hour"),  # ends inside a half hour
            (now - timedelta(days=4), now, "day"),  # ends now
            (now - timedelta(hours=7), now, "hour"),
        ]
        for extra in filters_to_check(telegram_inbox_a, team_a, team_b, agent_a):
            for since, until, interval in periods:
                f = queries.Filters(since=since, until=until, **extra)
                got = [p["value"] for p in queries.timeseries(f, "backlog", interval, TEHRAN)]
                assert got == expected_series(f, interval), (extra, since, until, interval)
            f = queries.Filters(since=local(2, 0), until=now, **extra)
            for m in moments:
                assert backlog.open_at(f, m) == by_facts(f, m), (extra, m)
    # Somebody's backlog was not zero all along: the checks compared something.
    everyone = queries.Filters(since=local(8, 0), until=local(8, 16))
    at = [local(8, 14, 10), local(8, 14, 22), local(8, 15, 50)]
    assert [by_facts(everyone, m) for m in at] == [2, 3, 2]  # C, D; C, D, E; C, F


def test_it_reads_a_recent_period_from_the_open_count_and_an_old_one_from_the_start(
    clock: Clock,
    telegram_inbox_a: Inbox,
    email_inbox_a: Inbox,
    email_inbox_b: Inbox,
    agent_a: Any,
    supervisor_a: Any,
    agent_b: Any,
    committed: Callable[..., Any],
    django_assert_num_queries: Any,
) -> None:
    inboxes = (telegram_inbox_a, email_inbox_a, email_inbox_b)
    timeline(clock, inboxes, (agent_a, supervisor_a, agent_b), committed)
    clock.now = local(8, 15, 17)
    recent = queries.Filters(since=local(5, 0), until=local(9, 0))
    old = queries.Filters(since=local(4, 0), until=local(6, 0))
    assert backlog._counted_from_now(local(5, 0), local(9, 0))
    assert not backlog._counted_from_now(local(4, 1), local(6, 0))
    # The choice, then one statement (open count and half hours, or the sum before
    # the period and its half hours) when every bucket ends on a half hour.
    with django_assert_num_queries(2):
        recent_days = backlog.series(recent, "day", TEHRAN)
    with django_assert_num_queries(2):
        old_days = backlog.series(old, "day", TEHRAN)
    assert [p["value"] for p in old_days] == expected_series(old, "day") == [1, 1]
    assert [p["value"] for p in recent_days] == expected_series(recent, "day")
    assert [p["value"] for p in recent_days] == [1, 1, 1, 1]


@pytest.mark.parametrize(
    ("open_now", "period_days_ago", "from_now"),
    [
        (400_000, 0, False),  # the 1M bench: 40 % open; 90 of 180 days cost less
        (2_000, 0, True),  # a desk with few open: the period's rows and the count
        (2_000, 40, True),  # 50 days before the period, 40 after it
        (2_000, 80, False),  # 10 days before, 80 after
        (2_000, 100, False),  # the period in the first half of the history
        (None, 0, True),  # no statistics (SQLite, never analyzed): the spans decide
        (None, 100, False),
    ],
)
def test_it_counts_from_now_when_that_reads_less(
    open_now: int | None, period_days_ago: int, from_now: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    end = local(30, 0)
    start = end - timedelta(days=180)
    rows = None if open_now is None else 172_800
    monkeypatch.setattr(backlog, "_sizes", lambda: (start, end, rows, open_now))
    last = end - timedelta(days=period_days_ago)
    assert backlog._counted_from_now(last - timedelta(days=90), last) is from_now
    assert backlog._counted_from_now(end + timedelta(days=1), end + timedelta(days=2))
