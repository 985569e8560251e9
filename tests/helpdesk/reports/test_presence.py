"""Presence spans: written from presence changes, closed on disconnect or timeout, summed
per agent in the agents report and GET /api/v1/reports/agents."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.reports import presence, queries
from helpdesk.reports.models import PresenceSpan, SpanEnd
from helpdesk.reports.people import agents
from helpdesk.shared_cache import shared_cache
from helpdesk.staff import presence as staff_presence
from tests.helpdesk.reports.conftest import local
from tests.helpdesk.sla.conftest import Clock

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
H = 3600


@pytest.fixture(autouse=True)
def _no_counted_sockets(agent_a: Any, agent_b: Any) -> None:
    """Socket counts live in the shared cache (Redis): none left by an earlier run."""
    for user in (agent_a, agent_b):
        shared_cache().delete(presence.SOCKETS_KEY.format(user.pk))


def test_it_records_spans_and_sums_the_time_online_and_away(
    clock: Clock, agent_a: Any, agent_b: Any, api: Any
) -> None:
    clock.now = local(5, 9)
    staff_presence.socket_opened(agent_a)  # first tab: online
    clock.now = local(5, 10)
    staff_presence.do_set_presence(agent_a, "away")
    clock.now = local(5, 10, 30)
    staff_presence.do_set_presence(agent_a, "online")
    staff_presence.do_set_presence(agent_a, "online")  # no change, no new span
    clock.now = local(5, 12)
    staff_presence.socket_closed(agent_a)  # last tab closed: offline
    clock.now = local(5, 13)
    staff_presence.do_set_presence(agent_b, "online")  # still online at "now"
    clock.now = local(5, 14)
    spans = list(PresenceSpan.objects.filter(agent_user=agent_a).order_by("started_at"))
    assert [(s.presence, s.started_at, s.ended_at, s.ended_by) for s in spans] == [
        ("online", local(5, 9), local(5, 10), SpanEnd.CHANGE),
        ("away", local(5, 10), local(5, 10, 30), SpanEnd.CHANGE),
        ("online", local(5, 10, 30), local(5, 12), SpanEnd.OFFLINE),
    ]
    day = queries.Filters(since=local(5, 0), until=local(6, 0))
    assert presence.times(day.since, day.until) == {
        agent_a.pk: {"online_s": 2.5 * H, "away_s": 0.5 * H},
        agent_b.pk: {"online_s": 1 * H, "away_s": 0.0},  # open span: up to now (14:00)
    }
    morning = presence.times(local(5, 9, 30), local(5, 10, 15), [agent_a.pk])
    assert morning == {agent_a.pk: {"online_s": 0.5 * H, "away_s": 0.25 * H}}
    # The agents report lists an agent of the team who handled nothing but was online;
    # agent_a's own scope (team A) leaves agent_b (team B) out.
    team_a_only = queries.Filters(
        since=day.since, until=day.until, teams=frozenset({agent_a.agent.teams.get().pk})
    )
    rows = agents(team_a_only)
    assert [(r["agent_id"], r["handled"], r["online_s"], r["away_s"]) for r in rows] == [
        (agent_a.pk, 0, 2.5 * H, 0.5 * H)
    ]
    answer = api(agent_a).get(
        "/api/v1/reports/agents", since=day.since.isoformat(), until=day.until.isoformat()
    )
    assert answer.status_code == 200
    assert [(r["agent_id"], r["online_s"], r["away_s"]) for r in answer.json()["agents"]] == [
        (agent_a.pk, 9000, 1800)
    ]


def test_it_times_out_the_spans_of_agents_with_no_socket_left(
    clock: Clock, agent_a: Any, agent_b: Any
) -> None:
    clock.now = local(5, 9)
    staff_presence.socket_opened(agent_a)
    staff_presence.socket_opened(agent_b)
    clock.now = local(5, 11)
    assert presence.close_stale(local(5, 11)) == 0  # both have a socket counted
    # agent_a's web process died: its socket count is gone, the span stays open.
    shared_cache().delete(presence.SOCKETS_KEY.format(agent_a.pk))
    assert presence.close_stale(local(5, 11)) == 1
    span = PresenceSpan.objects.get(agent_user=agent_a)
    assert (span.ended_at, span.ended_by) == (local(5, 11), SpanEnd.TIMEOUT)
    assert PresenceSpan.objects.get(agent_user=agent_b).ended_at is None
