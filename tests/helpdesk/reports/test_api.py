"""GET /api/v1/reports/summary and /timeseries: the issue's shape, agents only for their teams."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions.messages import do_reply
from helpdesk.ingest import receive
from tests import factories

pytestmark = [pytest.mark.django_db]
API = "/api/v1/reports"


@pytest.fixture
def two_teams(
    email_inbox_a: Any, email_inbox_b: Any, agent_a: Any, committed: Callable[..., Any]
) -> dict[str, Any]:
    a = committed(receive, factories.inbound(email_inbox_a, sender="a@example.com")).ticket
    b = committed(receive, factories.inbound(email_inbox_b, sender="b@example.com")).ticket
    committed(do_reply, agent_a, a.pk, "Hello")
    return {"a": a, "b": b}


def window() -> dict[str, str]:
    now = timezone.now()
    return {
        "since": (now - timedelta(hours=2)).isoformat(),
        "until": (now + timedelta(hours=1)).isoformat(),
    }


def test_it_answers_the_summary_in_the_issues_shape_for_the_callers_teams(
    api: Any, agent_a: Any, admin_user: Any, two_teams: dict[str, Any], team_b: Any
) -> None:
    mine = api(agent_a).get(f"{API}/summary", **window())
    assert mine.status_code == 200
    body = mine.json()
    assert {
        "conversations_created",
        "conversations_resolved",
        "first_response_time",
        "resolution_time",
        "sla",
        "csat",
        "nps",
    } <= set(body)
    assert set(body["first_response_time"]) == {"median_s", "p90_s", "avg_s", "approximate"}
    assert body["first_response_time"]["approximate"] is False  # small periods are exact
    assert body["conversations_created"] == 1  # team B's conversation is not theirs
    assert body["first_response_time"]["median_s"] is not None
    assert body["csat"]["responses"] == 0 and body["nps"]["score"] is None
    assert api(admin_user).get(f"{API}/summary", **window()).json()["conversations_created"] == 2
    refused = api(agent_a).get(f"{API}/summary", team=team_b.pk, **window())
    assert refused.status_code == 403


def test_it_answers_a_time_series_with_every_bucket(
    api: Any, admin_user: Any, two_teams: dict[str, Any]
) -> None:
    response = api(admin_user).get(
        f"{API}/timeseries", metric="conversations_created", interval="hour", tz="UTC", **window()
    )
    assert response.status_code == 200
    points = response.json()["points"]
    assert len(points) in (3, 4)  # three hours, plus one when the window starts mid-hour
    assert sum(p["value"] for p in points) == 2
    bad = api(admin_user).get(f"{API}/timeseries", metric="nope", **window())
    assert bad.status_code == 422
    upside_down = {"since": window()["until"], "until": window()["since"]}
    assert api(admin_user).get(f"{API}/summary", **upside_down).status_code == 422
