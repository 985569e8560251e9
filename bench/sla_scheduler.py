"""SLA scheduler at scale: breach latency and CPU per minute as open tickets grow.

    .venv/bin/python bench/sla_scheduler.py          # 1,000,000 tickets; 10,000 then 100,000 open
    .venv/bin/python bench/sla_scheduler.py --quick  # 20,000 tickets; 2,000 then 10,000 open

Generates tickets and their SLA rows with set-based SQL on PostgreSQL (database
`hd_bench_sla`, recreated), then runs the scheduler's SLA step in this process
exactly as the listener does (`helpdesk.sla.scheduler.tick` once a second) for a
fixed window, with a steady stream of first-response targets falling due (RATE a
second) among the open tickets, whose other due times lie hours ahead. Then the
open tickets grow tenfold (more rows, the same stream) and it measures again.

Every team has an agent and a supervisor (one Persian-speaking pair in two), and the
stream's tickets are assigned to their team's agent: each breach notifies the
assignee and the team's supervisor (the notification center's rows are stored in
the breach's transaction).

Reported per phase: breach latency (the `sla.breached` event's time minus the
target's due time; p50 / p99 / max), notification latency (the notifications'
creation time minus the due time), the process CPU per minute of the scheduler
and the index probe's plan. Bounded: a fixed window per phase, a statement timeout.
`--quick` reuses the database when its schema is current (emptied, not recreated).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from _common import append_result, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "hd_bench_sla"
# The stream starts this many seconds after it is written (VACUUM ANALYZE runs between).
LEAD_S = 4

BASE = """
SET statement_timeout = '20min';
INSERT INTO helpdesk_team (name, created_at)
  SELECT 'Team ' || t, now() FROM generate_series(1, 20) t;
INSERT INTO helpdesk_inbox (kind, name, team_id, enabled, created_at)
  SELECT 'email', 'Inbox ' || t, t, true, now() FROM generate_series(1, 20) t;
INSERT INTO helpdesk_contact (name, search_name, language, preferred_channel, notes,
                              custom_attributes, tags, created_at, updated_at)
  SELECT 'Customer ' || c, 'customer ' || c, 'fa', '', '', '{}', '[]', now(), now()
  FROM generate_series(1, {contacts}) c;
INSERT INTO helpdesk_ticket (subject, contact_id, inbox_id, team_id, status, priority, tags,
                             custom_attributes, created_at, updated_at, last_message_at,
                             last_customer_message_at, version)
  SELECT 'Question ' || t, 1 + (t * 7919) % {contacts}, 1 + t % 20, 1 + t % 20,
         CASE WHEN t <= {open_max} THEN 'open' ELSE 'closed' END, 2, '[]', '{}',
         now() - interval '1 hour', now(), now(), now(), 1
  FROM generate_series(1::bigint, {tickets}) t;
INSERT INTO sla_slapolicy (name, enabled, position, conditions, pause_statuses)
  VALUES ('Bench', true, 0, '[]', '["pending", "snoozed"]');
"""

# Open tickets [first, last] under SLA; their due times lie far ahead (no work for a tick).
FAR = """
INSERT INTO sla_ticketsla (ticket_id, policy_id, policy_name, status,
    first_response_state, first_response_due_at, first_response_budget,
    next_response_state, resolution_state, resolution_due_at, resolution_budget,
    next_due_at, sort_due_at, warn_at, breaches, unassigned_since)
  SELECT t, 1, 'Bench', 'active',
         'active', now() + interval '2 hours' + (t % 86400) * interval '1 s',
         3600, '', 'active', now() + interval '2 days', 86400,
         now() + interval '2 hours' + (t % 86400) * interval '1 s',
         now() + interval '2 hours' + (t % 86400) * interval '1 s',
         now() + interval '90 minutes' + (t % 86400) * interval '1 s', '[]', now()
  FROM generate_series({first}::bigint, {last}) t;
"""

# The stream: `count` of those rows fall due one after another, RATE a second, from `start` s.
STREAM = """
UPDATE sla_ticketsla SET
    first_response_due_at =
      now() + ({start} + (ticket_id - {first}) / {rate}::float) * '1 s'::interval,
    warn_at = NULL
  WHERE ticket_id BETWEEN {first} AND {first} + {count} - 1;
UPDATE sla_ticketsla SET next_due_at = first_response_due_at, sort_due_at = first_response_due_at
  WHERE ticket_id BETWEEN {first} AND {first} + {count} - 1;
"""


def psql(sql: str, **params: Any) -> None:
    for key, value in params.items():
        sql = sql.replace("{" + key + "}", str(value))
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            DB_NAME,
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            sql,
        ],
        check=True,
    )


# Emptied between --quick runs (ids restart: the generated rows refer to 1..N).
EMPTY = """
SET client_min_messages = warning;
TRUNCATE helpdesk_team, helpdesk_inbox, helpdesk_contact, helpdesk_ticket,
         helpdesk_ticketevent, sla_slapolicy, sla_ticketsla, auth_user
  RESTART IDENTITY CASCADE;
"""


def _schema_current(env: dict[str, str]) -> bool:
    """Whether the bench database exists with every migration applied."""
    manage = [sys.executable, "manage.py", "migrate", "--check", "-v0", "--skip-checks"]
    done = subprocess.run(manage, env=env, cwd=ROOT, capture_output=True, check=False)
    return done.returncode == 0


def generate(env: dict[str, str], tickets: int, open_max: int, *, reuse: bool) -> float:
    started = time.perf_counter()
    if reuse and _schema_current(env):
        psql(EMPTY)
    else:
        recreate_database(DB_NAME)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0", "--skip-checks"],
            env=env,
            cwd=ROOT,
            check=True,
        )
    psql(BASE, tickets=tickets, contacts=max(tickets // 5, 100), open_max=open_max)
    return time.perf_counter() - started


def staff_teams() -> dict[int, int]:
    """An agent and a supervisor in each team (every other pair reads Persian); returns
    team id -> the agent's user id."""
    from django.contrib.auth import get_user_model

    from helpdesk.models import Agent, Role, Team

    user_model = get_user_model()
    agents: dict[int, int] = {}
    for team in Team.objects.order_by("id"):
        language = "fa" if team.pk % 2 else "en"
        for role in (Role.AGENT, Role.SUPERVISOR):
            user = user_model(username=f"{role}-{team.pk}")
            user.set_unusable_password()
            user.save()
            agent = Agent.objects.create(user=user, role=role, language=language)
            agent.teams.set([team])
            if role == Role.AGENT:
                agents[team.pk] = user.pk
    return agents


def assign_stream(agents: dict[int, int], first: int, count: int) -> None:
    """The stream's tickets belong to their team's agent (breaches tell them and the
    team's supervisor)."""
    from helpdesk.models import Ticket

    stream = Ticket.objects.filter(pk__gte=first, pk__lt=first + count)
    for team_id, user_id in agents.items():
        stream.filter(team_id=team_id).update(assignee_id=user_id)


def _latencies(rows: Any) -> list[float]:
    return sorted(
        (at - datetime.fromisoformat(due)).total_seconds() for at, due in rows if due is not None
    )


def phase(
    open_count: int, first_far: int, rate: int, window: int, agents: dict[int, int]
) -> dict[str, Any]:
    """Grow the open tickets under SLA to `open_count`, run the scheduler for `window` s."""
    from django.db import connection
    from django.utils import timezone

    from helpdesk.models import TicketEvent
    from helpdesk.notifications.models import Notification
    from helpdesk.sla.scheduler import TICK_SECONDS, tick

    psql(FAR, first=first_far, last=open_count)
    count = rate * window
    stream_first = first_far  # the stream reuses the newest rows: due soon, in order
    assign_stream(agents, stream_first, count)
    psql(STREAM, first=stream_first, count=count, rate=rate, start=LEAD_S)
    psql("VACUUM ANALYZE sla_ticketsla")
    connection.close()
    since = timezone.now()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    ticks, tick_ms = 0, []
    while time.perf_counter() - wall0 < window + LEAD_S + 3:
        began = time.perf_counter()
        tick()
        tick_ms.append((time.perf_counter() - began) * 1000)
        ticks += 1
        time.sleep(max(0.0, TICK_SECONDS - (time.perf_counter() - began)))
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    breached = TicketEvent.objects.filter(type="sla.breached", created_at__gte=since)
    late = _latencies((e.created_at, e.payload["due_at"]) for e in breached)
    notes = Notification.objects.filter(kind="sla_breached", created_at__gte=since)
    dues = {e.ticket_id: e.payload["due_at"] for e in breached}
    told = _latencies((n.created_at, dues.get(n.ticket_id)) for n in notes)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT ticket_id FROM sla_ticketsla WHERE next_due_at <= now() "
            "ORDER BY next_due_at LIMIT 500"
        )
        plan = " / ".join(row[0].strip() for row in cursor.fetchall()[:2])
    return {
        "open_under_sla": open_count,
        "breaches": len(late),
        "expected": count,
        "latency_p50_s": round(statistics.median(late), 3) if late else None,
        "latency_p99_s": round(late[int(len(late) * 0.99) - 1], 3) if late else None,
        "latency_max_s": round(late[-1], 3) if late else None,
        "notifications": len(told),
        "notified_p50_s": round(statistics.median(told), 3) if told else None,
        "notified_p99_s": round(told[int(len(told) * 0.99) - 1], 3) if told else None,
        "cpu_s_per_minute": round(cpu / wall * 60, 2),
        "tick_ms_p50": round(statistics.median(tick_ms), 2),
        "tick_ms_idle_p50": round(statistics.median(tick_ms[-4:]), 2),
        "ticks": ticks,
        "plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 tickets, two short phases")
    args = parser.parse_args()
    tickets, sizes, rate, window = (
        (20_000, (2_000, 10_000), 2, 5) if args.quick else (1_000_000, (10_000, 100_000), 5, 60)
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
    }
    env.pop("REDIS_URL", None)  # no socket listens: publishing is not what is measured
    generated = generate(env, tickets, sizes[-1], reuse=args.quick)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    agents = staff_teams()
    results = []
    first = 1
    for size in sizes:
        result = phase(size, first, rate, window, agents)
        results.append(result)
        print(result, flush=True)
        first = size + 1
    record = {
        "tickets": tickets,
        "rate_per_s": rate,
        "window_s": window,
        "generate_s": round(generated, 1),
        "phases": results,
        "quick": args.quick,
    }
    append_result("sla_scheduler.jsonl", "sla_scheduler", record)
    print(record)


if __name__ == "__main__":
    main()
