"""A scripted conversation whose every figure is computed by hand, calendar and business time.

The inbox is open Sat-Wed 09:00-17:00 and Thu 09:00-13:00 (Tehran), Friday is closed
and Saturday 7 November 2026 is a holiday.

Ticket A: customer Wed 16:00; auto-reply 16:05 and a note 16:10 (never count);
agent replies Thu 10:00 (pending); customer Sat 11:00 (open again); agent replies
Sun 09:30 (pending); resolved Sun 10:00; reopened Sun 12:00; resolved Sun 13:00.
Ticket B (another customer, Sun 10:50) is merged into C (Sun 11:00) at 11:10: its
message moves into C, so C's first customer message is 10:50; agent replies 11:20.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.actions.automatic import do_send_automatic
from helpdesk.actions.messages import do_add_note, do_reply
from helpdesk.actions.tickets import do_merge_tickets, do_set_status, do_set_tags
from helpdesk.ingest import receive
from helpdesk.models import Inbox, Ticket
from helpdesk.reports import facts, queries, rollups
from helpdesk.reports.models import HourlyRollup, TicketFact
from tests import factories
from tests.helpdesk.reports.conftest import local
from tests.helpdesk.sla.conftest import Clock

pytestmark = [pytest.mark.django_db]
H = 3600


def customer(inbox: Inbox, who: str, run: Callable[..., Any]) -> Ticket:
    result = run(receive, factories.inbound(inbox, sender=who, name=who, text="help"))
    return result.ticket  # type: ignore[no-any-return]


def script(
    clock: Clock, inbox: Inbox, agent: Any, boss: Any, run: Callable[..., Any]
) -> tuple[Ticket, Ticket, Ticket]:
    a = customer(inbox, "100", run)
    clock.now = local(4, 16, 5)
    run(do_send_automatic, a.pk, "We got your message", reason="acknowledgement")
    clock.now = local(4, 16, 10)
    run(do_add_note, agent, a.pk, "looking")
    clock.now = local(5, 10)
    run(do_reply, agent, a.pk, "Here is how")
    clock.now = local(7, 11)
    assert customer(inbox, "100", run).pk == a.pk
    clock.now = local(8, 9, 30)
    run(do_reply, agent, a.pk, "Try this")
    clock.now = local(8, 10)
    run(do_set_status, agent, a.pk, "resolved")
    clock.now = local(8, 10, 50)
    b = customer(inbox, "200", run)
    clock.now = local(8, 11)
    c = customer(inbox, "300", run)
    clock.now = local(8, 11, 10)
    run(do_merge_tickets, boss, b.pk, c.pk)
    clock.now = local(8, 11, 20)
    run(do_reply, agent, c.pk, "Done")
    clock.now = local(8, 12)
    run(do_set_status, agent, a.pk, "open")
    clock.now = local(8, 13)
    run(do_set_status, agent, a.pk, "resolved")
    return a, b, c


def test_it_computes_every_figure_of_the_scripted_timeline(
    clock: Clock,
    telegram_inbox_a: Inbox,
    office_hours: Any,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
) -> None:
    a, b, c = script(clock, telegram_inbox_a, agent_a, supervisor_a, committed)
    fa = TicketFact.objects.get(pk=a.pk)
    # First response: Wed 16:00 -> Thu 10:00 = 18 h; open: Wed 16-17 + Thu 09-10 = 2 h.
    assert (fa.first_response_s, fa.first_response_bs) == (18 * H, 2 * H)
    assert fa.first_response_at == local(5, 10)
    # Second wait: Sat 11:00 (holiday) -> Sun 09:30 = 22.5 h; open: Sun 09:00-09:30.
    assert fa.reply_count == 2
    assert (fa.reply_sum_s, fa.reply_sum_bs) == (18 * H + 22.5 * H, 2 * H + 0.5 * H)
    # Resolution: Wed 16:00 -> Sun 13:00 = 93 h, minus pending Thu 10:00 -> Sat 11:00
    # (49 h; open Thu 10-13 = 3 h) and Sun 09:30 -> 10:00 (0.5 h, open).
    assert fa.resolved_at == local(8, 13)
    assert fa.resolution_s == (93 - 49 - 0.5) * H
    # Open hours Wed 16-17 (1) + Thu 9-13 (4) + Sun 9-13 (4) = 9 h, minus 3.5 h pending.
    assert fa.resolution_bs == (9 - 3.5) * H
    assert (fa.reopened, fa.messages_in, fa.messages_out) == (1, 2, 2)
    fb, fc = TicketFact.objects.get(pk=b.pk), TicketFact.objects.get(pk=c.pk)
    assert fb.merged
    assert (fc.first_response_s, fc.first_response_bs, fc.messages_in) == (30 * 60, 30 * 60, 2)
    assert fc.resolved_at is None and fc.resolution_s is None

    period = queries.Filters(since=local(2, 0), until=local(10, 0))
    calendar = queries.summary(period)
    assert calendar["conversations_created"] == 2  # the merged ticket is not counted
    assert calendar["conversations_resolved"] == 1
    assert calendar["conversations_reopened"] == 1
    assert (calendar["messages_in"], calendar["messages_out"]) == (4, 3)
    # Median and p90 of [18 h, 30 min] (linear interpolation), average.
    assert calendar["first_response_time"] == {
        "median_s": (18 * H + 1800) / 2,
        "p90_s": 1800 + 0.9 * (18 * H - 1800),
        "avg_s": (18 * H + 1800) / 2,
        "approximate": False,
    }
    business = queries.summary(queries.Filters(**{**vars_of(period), "business_hours": True}))
    assert business["first_response_time"]["median_s"] == (2 * H + 1800) / 2
    assert business["resolution_time"] == {
        "median_s": 5.5 * H,
        "p90_s": 5.5 * H,
        "avg_s": 5.5 * H,
        "approximate": False,
    }
    assert calendar["resolution_time"]["avg_s"] == 43.5 * H
    # The drill-down lists exactly the conversations counted.
    assert [f.ticket_id for f in queries.drill_down(period, "conversations_created")] == [
        a.pk,
        c.pk,
    ]
    assert [f.ticket_id for f in queries.drill_down(period, "conversations_resolved")] == [a.pk]
    assert [f.ticket_id for f in queries.drill_down(period, "conversations_reopened")] == [a.pk]


def vars_of(f: queries.Filters) -> dict[str, Any]:
    return {name: getattr(f, name) for name in queries.Filters.__slots__}


def rollup_totals() -> dict[str, float]:
    rows = HourlyRollup.objects.values_list(*rollups.SUM_FIELDS)
    totals = dict.fromkeys(rollups.SUM_FIELDS, 0.0)
    for row in rows:
        for name, value in zip(rollups.SUM_FIELDS, row, strict=True):
            totals[name] += value
    return totals


def rollup_rows() -> set[tuple[Any, ...]]:
    """The non-zero rows of every rollup table (half-hour, tags, duration histogram)."""
    out = set()
    for name, table in rollups.TABLES.items():
        fields = [
            f.name for f in table.model._meta.concrete_fields if f.column in table.keys + table.sums
        ]
        for row in table.model._default_manager.values_list(*fields):
            if any(row[len(table.keys) :]):
                out.add((name, *row))
    return out


def test_it_keeps_the_rollup_equal_to_a_rebuild_and_the_series_to_the_facts(
    clock: Clock,
    telegram_inbox_a: Inbox,
    office_hours: Any,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
) -> None:
    script(clock, telegram_inbox_a, agent_a, supervisor_a, committed)
    incremental = rollup_rows()
    assert incremental
    facts.rebuild_all()
    assert rollup_rows() == incremental
    totals = rollup_totals()
    assert (totals["created"], totals["resolved"], totals["reopened"]) == (2, 1, 1)
    assert totals["first_response_sum_bs"] == 2 * H + 1800
    period = queries.Filters(since=local(2, 0), until=local(10, 0))
    series = queries.timeseries(period, "conversations_created", "day", "Asia/Tehran")
    assert [p["value"] for p in series] == [0, 0, 1, 0, 0, 0, 1, 0]
    assert series[2]["start"] == local(4, 0).isoformat()
    frt = queries.timeseries(period, "first_response_time", "day", "Asia/Tehran")
    assert [p["value"] for p in frt] == [None, None, None, 18 * H, None, None, 1800, None]
    # With a tag filter the same series is read from the facts.
    tagged = queries.Filters(**{**vars_of(period), "tag": "x"})
    assert [
        p["value"] for p in queries.timeseries(tagged, "messages_in", "day", "Asia/Tehran")
    ] == [0] * 8


def test_it_gives_the_same_rollup_whatever_order_the_refreshes_come_in(
    clock: Clock,
    telegram_inbox_a: Inbox,
    office_hours: Any,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
) -> None:
    import random

    a, b, c = script(clock, telegram_inbox_a, agent_a, supervisor_a, lambda f, *x, **k: f(*x, **k))
    do_set_tags(agent_a, a.pk, ["vip", "refund"])
    do_set_tags(agent_a, c.pk, ["vip"])
    ids = [a.pk, b.pk, c.pk] * 3
    random.Random(18).shuffle(ids)
    for ticket_id in ids:
        facts.refresh(ticket_id)
    incremental = rollup_rows()
    assert {row[0] for row in incremental} == {"hourly", "tags", "histogram"}
    facts.rebuild_all()
    assert rollup_rows() == incremental
    assert rollup_totals()["created"] == 2


def test_it_counts_a_conversation_just_after_tehran_midnight_on_its_own_day(
    clock: Clock, telegram_inbox_a: Inbox, committed: Callable[..., Any]
) -> None:
    clock.now = local(6, 0, 10)  # 20:40 UTC the day before
    customer(telegram_inbox_a, "400", committed)
    clock.now = local(6, 23, 50)
    customer(telegram_inbox_a, "401", committed)
    period = queries.Filters(since=local(5, 0), until=local(8, 0))
    days = queries.timeseries(period, "conversations_created", "day", "Asia/Tehran")
    assert [p["value"] for p in days] == [0, 2, 0]
    hours = queries.timeseries(
        queries.Filters(since=local(6, 0), until=local(7, 0)),
        "conversations_created",
        "hour",
        "Asia/Tehran",
    )
    assert [h for h, p in enumerate(hours) if p["value"]] == [0, 23]
    grid = queries.heatmap(period, "Asia/Tehran", week_start=6)  # Friday the 6th: row 6
    assert grid[6][0] == 1 and grid[6][23] == 1 and sum(map(sum, grid)) == 2
