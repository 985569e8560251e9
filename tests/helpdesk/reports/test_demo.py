"""The demo's four weeks of history fill every report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from config.demo import seed
from helpdesk.reports import backlog, churn, facts, people, queries
from tests.helpdesk.reports.test_timeline import rollup_rows

pytestmark = [pytest.mark.django_db]


def test_it_seeds_history_every_report_shows(
    settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.VAR_DIR = tmp_path / "var"
    with django_capture_on_commit_callbacks(execute=True):
        assert seed() is not None
    now = timezone.now()
    period = queries.Filters(since=now - timedelta(days=22), until=now)
    summary = queries.summary(period)
    assert summary["conversations_created"] >= 25
    assert summary["conversations_resolved"] >= 12
    assert summary["conversations_reopened"] >= 1
    assert summary["first_response_time"]["median_s"] is not None
    assert summary["csat"]["responses"] >= 4
    assert (
        sum(map(sum, queries.heatmap(period, "Asia/Tehran", 6)))
        == (summary["conversations_created"])
    )
    rows = people.agents(period)
    assert rows and max(r["online_s"] for r in rows) > 10 * 3600  # weeks of working days
    assert max(r["away_s"] for r in rows) > 0
    assert len(backlog.tags(period)) >= 3
    days = queries.timeseries(period, "backlog", "day", "Asia/Tehran")
    assert max(p["value"] or 0 for p in days) > 0
    older = queries.Filters(since=now - timedelta(days=29), until=now - timedelta(days=16))
    assert queries.summary(older)["conversations_created"] >= 4  # a few weeks, not two
    last_week = queries.Filters(since=now - timedelta(days=7), until=now)
    assert churn.churn(last_week)["previous_contacts"] > 0
    assert churn.at_risk(period)
    incremental = rollup_rows()
    facts.rebuild_all()
    assert rollup_rows() == incremental
