"""Reports at scale: summary, time series, heatmap and CSV export over stored facts.

    .venv/bin/python bench/reports.py            # 1,000,000 conversations
    .venv/bin/python bench/reports.py --quick    # 15,000 conversations, <= 60 s
    .venv/bin/python bench/reports.py --reuse    # measure again without generating
    .venv/bin/python bench/reports.py --generate-only   # generate (shared lock), measure later

Generates with set-based SQL on PostgreSQL (database `hd_bench_reports`, recreated):
20 teams and inboxes, 20 agents, contacts, and conversations spread over 180 days
with their report facts (first response, replies, resolution in calendar and
business seconds, reopens, message counts); the hourly rollup is then rebuilt by
the desk's own code (`helpdesk.reports.rollups.rebuild`, timed). Measures p50/p95
over a fixed number of calls of the API's summary and time series over 90 days
(admin: every team; agent: one team), the heatmap, and the CSV export's rows/s
with the process's peak memory before and after. Targets (issue 18): summary and
time series p95 <= 200 ms, heatmap <= 200 ms, CSV >= 20,000 rows/s with flat memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path
from typing import Any

from _common import append_result, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "hd_bench_reports"
REPEAT = 20

GENERATE = """
SET statement_timeout = '60min';
INSERT INTO helpdesk_team (name, created_at)
  SELECT 'Team ' || t, now() FROM generate_series(1, 20) t;
INSERT INTO helpdesk_inbox (kind, name, team_id, enabled, created_at)
  SELECT (ARRAY['email','telegram','webchat','phone'])[1 + t % 4], 'Inbox ' || t, t, true, now()
  FROM generate_series(1, 20) t;
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
  SELECT '!', a = 0, 'agent' || a, '', '', '', false, true, now() FROM generate_series(0, 20) a;
INSERT INTO agents_agent (user_id, display_name, role, language, time_zone, presence, theme)
  SELECT id, username, CASE WHEN username = 'agent0' THEN 'admin' ELSE 'agent' END,
         'fa', 'Asia/Tehran', 'online', 'auto' FROM auth_user;
INSERT INTO agents_agent_teams (agent_id, team_id)
  SELECT ag.id, ag.user_id - 1 FROM agents_agent ag WHERE ag.user_id > 1;
INSERT INTO helpdesk_contact (name, search_name, language, preferred_channel, notes,
                              custom_attributes, tags, created_at, updated_at)
  SELECT 'Customer ' || c, 'customer ' || c, 'fa', '', '', '{{}}', '[]', now(), now()
  FROM generate_series(1, {contacts}) c;
INSERT INTO helpdesk_ticket (subject, contact_id, inbox_id, team_id, assignee_id, status,
                             priority, tags, custom_attributes, created_at, updated_at,
                             last_message_at, version)
  SELECT 'Order ' || c, 1 + c % {contacts}, 1 + c % 20, 1 + c % 20, 2 + c % 20,
         (ARRAY['open','pending','resolved','closed','resolved'])[1 + c % 5], 2,
         CASE WHEN c % 10 = 0 THEN '["vip"]'::jsonb ELSE '[]'::jsonb END, '{{}}',
         now() - make_interval(secs => (c::float8 * 15552000 / {tickets})),
         now(), now(), 1
  FROM generate_series(1, {tickets}) c;
INSERT INTO reports_ticketfact (ticket_id, inbox_id, team_id, agent_id, channel, contact_id,
    status, merged, created_at, first_response_at, first_response_s, first_response_bs,
    reply_count, reply_sum_s, reply_sum_bs, resolved_at, resolution_s, resolution_bs,
    reopened, messages_in, messages_out, tags, updated_at)
  SELECT t.id, t.inbox_id, t.team_id, t.assignee_id, i.kind, t.contact_id, t.status, false,
         t.created_at, t.created_at + make_interval(secs => 60 + t.id % 7200),
         60 + t.id % 7200, (60 + t.id % 7200) / 3, 1 + t.id % 3, 3 * (60 + t.id % 7200),
         (60 + t.id % 7200), CASE WHEN t.status IN ('resolved','closed')
           THEN t.created_at + make_interval(secs => 3600 + t.id % 86400) END,
         CASE WHEN t.status IN ('resolved','closed') THEN 3600 + t.id % 86400 END,
         CASE WHEN t.status IN ('resolved','closed') THEN (3600 + t.id % 86400) / 4 END,
         (t.id % 17 = 0)::int, 2 + t.id % 4, 1 + t.id % 3, t.tags, now()
  FROM helpdesk_ticket t JOIN helpdesk_inbox i ON i.id = t.inbox_id;
ANALYZE;
"""


def psql(sql: str, db: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-q"],
        input=sql.encode(),
        check=True,
    )


def generate(env: dict[str, str], tickets: int) -> float:
    t = time.perf_counter()
    recreate_database(DB_NAME)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    psql(GENERATE.format(tickets=tickets, contacts=max(1, tickets // 4)), DB_NAME)
    return time.perf_counter() - t


def settle() -> None:
    """What autovacuum does to a table after bulk inserts: the visibility map that lets
    the covering indexes answer without visiting the table, and fresh statistics."""
    psql("VACUUM (ANALYZE) reports_ticketfact;", DB_NAME)


def _row(name: str, samples: list[float], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    ordered = sorted(samples)
    return {
        "case": name,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
        **(extra or {}),
    }


def _timed(call: Any, repeat: int = REPEAT) -> list[float]:
    call()  # warm
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t)
    return samples


def measure(tickets: int, export_rows: int) -> list[dict[str, Any]]:
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from helpdesk.reports import backlog, people, percentiles, queries, rollups, sums
    from helpdesk.reports.filters import facts
    from helpdesk.reports.models import TicketFact
    from helpdesk.reports.queries import time_stats
    from tests import factories

    rows: list[dict[str, Any]] = []
    t = time.perf_counter()
    written = rollups.rebuild()
    rows.append(
        {"case": "rebuild rollup", "seconds": round(time.perf_counter() - t, 1), "rows": written}
    )
    # A rebuild deletes and rewrites every rollup row: what autovacuum then does (the
    # dead rows out, fresh statistics) before the reads are timed.
    psql(
        "VACUUM (ANALYZE) reports_hourlyrollup, reports_tagrollup, reports_durationhistogram;",
        DB_NAME,
    )
    users = get_user_model().objects
    now = timezone.now()
    window = {
        "since": (now - timedelta(days=90)).isoformat(),
        "until": now.isoformat(),
    }
    for who in ("agent0", "agent1"):
        token = factories.make_token(users.get(username=who), scope="read")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        role = "admin" if who == "agent0" else "agent (1 team)"
        for path, params in (
            ("summary", {}),
            ("summary", {"business_hours": "true"}),
            ("timeseries", {"metric": "conversations_created", "interval": "day"}),
            ("timeseries", {"metric": "first_response_time", "interval": "day"}),
            ("timeseries", {"metric": "backlog", "interval": "day"}),
        ):

            def call(
                path: str = path, params: dict[str, str] = params, client: Client = client
            ) -> None:
                response = client.get(f"/api/v1/reports/{path}", {**window, **params})
                assert response.status_code == 200, response.content

            label = f"{path} 90 d {params.get('metric', params.get('business_hours', ''))}"
            rows.append(_row(f"{label} [{role}]", _timed(call)))
    # The screens' periods are whole local days (the API's may end anywhere).
    tehran = zoneinfo.ZoneInfo("Asia/Tehran")
    today = now.astimezone(tehran).replace(hour=0, minute=0, second=0, microsecond=0)
    days = queries.Filters(since=today - timedelta(days=89), until=today + timedelta(days=1))
    f = queries.Filters(since=now - timedelta(days=90), until=now)
    rows.append(_row("heatmap 90 d [admin]", _timed(lambda: queries.heatmap(f, "Asia/Tehran"))))
    rows.append(
        _row("heatmap 90 whole days [admin]", _timed(lambda: queries.heatmap(days, "Asia/Tehran")))
    )
    rows.append(_row("summary 90 whole days [admin]", _timed(lambda: queries.summary(days))))
    # Where the summary's time goes: counts (rollup), each percentile query (facts),
    # and the same percentiles from the duration histogram, with their error.
    rows.append(_row("  counts from the rollup", _timed(lambda: sums.counts(f))))
    for at, field in (("first_response_at", "first_response_s"), ("resolved_at", "resolution_s")):
        answered = facts(f).filter(**{f"{at}__gte": f.since, f"{at}__lt": f.until})
        rows.append(
            _row(
                f"  exact percentiles {field}", _timed(lambda q=answered, x=field: time_stats(q, x))
            )
        )
    approx = _timed(lambda: percentiles.buckets(f, ["frt_s", "res_s"], "a", None))
    rows.append(_row("  histogram percentiles, both", approx))
    rows.append(_accuracy(f))
    # The same reports by the previous paths (exact percentiles sorted over the facts,
    # tags unnested from every ticket), for a before/after on the same machine and load.
    team_f = queries.Filters(since=f.since, until=f.until, teams=frozenset({1}))
    exact_up_to = percentiles.EXACT_UP_TO
    percentiles.EXACT_UP_TO = 10**9
    try:
        for label, g in (("admin", f), ("agent (1 team)", team_f)):
            rows.append(
                _row(f"summary 90 d exact [{label}]", _timed(lambda g=g: queries.summary(g)))
            )
        rows.append(_row("agents 90 d exact medians [admin]", _timed(lambda: people.agents(f), 5)))
    finally:
        percentiles.EXACT_UP_TO = exact_up_to
    rows.append(
        _row("tags 90 d by tickets [admin]", _timed(lambda: backlog._tags_of_tickets(f, 50), 5))
    )
    for label, g in (("admin", f), ("agent (1 team)", team_f)):
        rows.append(
            _row(f"summary 90 d [{label}] in-process", _timed(lambda g=g: queries.summary(g)))
        )
    rows.append(_row("agents 90 d [admin]", _timed(lambda: people.agents(f), 5)))
    rows.append(_row("tags 90 d [admin]", _timed(lambda: backlog.tags(f), 5)))
    rows.append(_row("agents 90 d [agent (1 team)]", _timed(lambda: people.agents(team_f), 5)))
    rows.append(_row("tags 90 d [agent (1 team)]", _timed(lambda: backlog.tags(team_f), 5)))
    # The export: the newest `export_rows` conversations, every column, streamed.
    first = TicketFact.objects.order_by("-created_at").values_list("created_at", flat=True)
    since = list(first[export_rows - 1 : export_rows])[0]
    export = queries.Filters(since=since, until=now + timedelta(seconds=1))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    count = sum(1 for _ in queries.export_rows(export)) - 1
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows.append(
        {
            "case": "CSV rows",
            "rows": count,
            "seconds": round(seconds, 2),
            "rows_per_s": round(count / seconds),
            "peak_rss_mb_before": round(before / 1024),
            "peak_rss_mb_after": round(after / 1024),
        }
    )
    return rows


def _accuracy(f: Any) -> dict[str, Any]:
    """The largest relative difference between the summary's histogram percentiles and
    the exact ones (percentile_cont over the facts), for the desk and one team."""
    from helpdesk.reports import queries
    from helpdesk.reports.filters import facts

    worst, compared = 0.0, 0
    for teams in (None, frozenset({3})):  # team 3 has resolutions (team 1 none)
        for business in (False, True):
            g = queries.Filters(since=f.since, until=f.until, teams=teams, business_hours=business)
            s = queries.summary(g)
            suffix = "bs" if business else "s"
            for key, at, field in (
                ("first_response_time", "first_response_at", f"first_response_{suffix}"),
                ("resolution_time", "resolved_at", f"resolution_{suffix}"),
            ):
                exact = queries.time_stats(
                    facts(g).filter(**{f"{at}__gte": g.since, f"{at}__lt": g.until}), field
                )
                if not s[key]["approximate"] or exact["median_s"] is None:
                    continue
                compared += 1
                for stat in ("median_s", "p90_s"):
                    worst = max(worst, abs(s[key][stat] - exact[stat]) / exact[stat])
    return {
        "case": "histogram vs exact percentiles",
        "figures_compared": compared,
        "max_relative_error": round(worst, 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument(
        "--generate-only", action="store_true", help="generate, settle and stop (no figures)"
    )
    opts = parser.parse_args()
    tickets = 15_000 if opts.quick else 1_000_000
    export_rows = 5_000 if opts.quick else 100_000
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        HELPDESK_VAR_DIR=str(ROOT / "var" / "bench"),
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    if opts.reuse:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True
        )
    seconds = 0.0 if opts.reuse else generate(env, tickets)
    settle()
    if opts.generate_only:
        print(f"{tickets} conversations generated in {seconds:.0f} s")
        return
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    rows = measure(tickets, export_rows)
    print(f"{tickets} conversations" + (f", generated in {seconds:.0f} s" if seconds else ""))
    for r in rows:
        print("  ".join(f"{k}={v}" for k, v in r.items()))
    append_result("reports.jsonl", "reports", {"tickets": tickets, "rows": rows})


if __name__ == "__main__":
    main()
