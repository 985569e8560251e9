"""Contacts at scale: list and search, segment counts and CSV import at a million contacts.

    .venv/bin/python bench/crm_contacts.py            # 1,000,000 contacts
    .venv/bin/python bench/crm_contacts.py --quick    # 20,000 contacts, <= 60 s
    .venv/bin/python bench/crm_contacts.py --reuse    # migrate and measure again

Generates with set-based SQL on PostgreSQL (database `hd_bench_crm`, recreated):
contacts with an email and a mobile number each, tags, typed attributes, 1,000
companies, and tickets for a fifth of them in 20 teams (so an agent sees a
slice). Then times, with p50 / p95 over a fixed number of requests: the JSON
API's contacts list and searches (name in Persian typed on an Arabic keyboard,
a mobile number typed in the local form, an email, part of a number, a
common and a rare name, a Telegram username with and without its "@") as an
admin and as an agent of one team; the contacts page; live segment counts; and
a CSV import (half new contacts, half known ones, some bad rows) in contacts/s.
Targets (issue 19): list/search p95 <= 30 ms, segment count p95 <= 200 ms,
import >= 2,000 contacts/s.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import append_result, recreate_database

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DB: another database name, so two runs (or a copy of the data) can sit side by side.
DB_NAME = os.environ.get("BENCH_DB", "hd_bench_crm")
REPEAT = 40
QUICK_REPEAT = 6

GENERATE = """
SET statement_timeout = '30min';
INSERT INTO helpdesk_team (name, created_at)
  SELECT 'Team ' || t, now() FROM generate_series(1, 20) t;
INSERT INTO helpdesk_inbox (kind, name, team_id, enabled, created_at)
  SELECT 'email', 'Inbox ' || t, t, true, now() FROM generate_series(1, 20) t;
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
  SELECT '!', a = 0, 'agent' || a, '', '', '', false, true, now() FROM generate_series(0, 20) a;
INSERT INTO agents_agent (user_id, display_name, role, language, time_zone, presence, theme)
  SELECT id, username, CASE WHEN username = 'agent0' THEN 'admin' ELSE 'agent' END,
         'fa', 'Asia/Tehran', 'online', 'auto' FROM auth_user;
INSERT INTO agents_agent_teams (agent_id, team_id)
  SELECT ag.id, ag.user_id - 1 FROM agents_agent ag WHERE ag.user_id > 1;
INSERT INTO helpdesk_company (name, notes, custom_attributes, created_at, updated_at)
  SELECT 'Company ' || c, '', '{}', now(), now() FROM generate_series(1, 1000) c;
INSERT INTO helpdesk_companydomain (company_id, domain)
  SELECT id, 'company' || id || '.ir' FROM helpdesk_company;
INSERT INTO helpdesk_contact (name, search_name, language, preferred_channel, notes,
                              custom_attributes, tags, company_id, created_at, updated_at)
  SELECT n, lower(n), 'fa', '', '',
         jsonb_build_object('plan', (ARRAY['gold','silver','bronze','free'])[1 + c % 4],
                            'seats', c % 100),
         CASE WHEN c % 10 = 0 THEN '["vip"]'::jsonb WHEN c % 7 = 0 THEN '["lead"]'::jsonb
              ELSE '[]'::jsonb END,
         CASE WHEN c % 3 = 0 THEN 1 + c % 1000 END, now(), now()
  FROM (SELECT c, (ARRAY['Sara','Reza','Maryam','Ali','John','Emma','سارا','رضا','مریم','علی',
                         'کریم','یاسمین'])[1 + c % 12]
               || ' ' || (ARRAY['Karimi','Ahmadi','Smith','کریمی','احمدی','یزدانی'])[1 + c % 6]
               || ' ' || c AS n
        FROM generate_series(1, {contacts}) c) g;
INSERT INTO helpdesk_contactidentity (contact_id, kind, address, display_name,
                                      unreachable_reason, created_at)
  SELECT id, 'email', 'customer' || id || '@example.com', '', '', now() FROM helpdesk_contact;
INSERT INTO helpdesk_contactidentity (contact_id, kind, address, display_name,
                                      unreachable_reason, created_at)
  SELECT id, 'phone', '+98912' || lpad(id::text, 7, '0'), '', '', now() FROM helpdesk_contact;
INSERT INTO helpdesk_inbox (kind, name, team_id, enabled, created_at)
  VALUES ('telegram', 'Telegram', 1, true, now());
INSERT INTO helpdesk_contactidentity (contact_id, kind, address, display_name,
                                      unreachable_reason, created_at)
  SELECT id, 'telegram', (700000000 + id)::text, name, '', now()
  FROM helpdesk_contact WHERE id % 5 = 2;
INSERT INTO channel_telegram_telegramchat (inbox_id, chat_id, user_id, username, first_name,
                                           last_name, language_code, created_at, updated_at)
  SELECT 21, 700000000 + id, 700000000 + id, 'user_' || id, name, '', 'fa', now(), now()
  FROM helpdesk_contact WHERE id % 5 = 2;
INSERT INTO helpdesk_ticket (subject, contact_id, inbox_id, team_id, status, priority, tags,
                             custom_attributes, created_at, updated_at, last_message_at, version)
  SELECT 'Order ' || c, c, 1 + ((c - 1) / 5) % 20, 1 + ((c - 1) / 5) % 20,
         (ARRAY['open','pending','closed','closed'])[1 + c % 4], 2, '[]', '{}',
         now() - (c || ' minutes')::interval, now(), now() - (c || ' minutes')::interval, 1
  FROM generate_series(1, {contacts}, 5) c;
"""


def psql(sql: str, db: str) -> None:
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            db,
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            sql,
        ],
        check=True,
    )


def generate(env: dict[str, str], contacts: int) -> float:
    started = time.perf_counter()
    recreate_database(DB_NAME)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    psql(GENERATE.replace("{contacts}", str(contacts)), DB_NAME)
    psql("VACUUM ANALYZE", DB_NAME)
    return time.perf_counter() - started


def _row(name: str, samples: list[float], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    samples.sort()
    return {
        "case": name,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
        **(extra or {}),
    }


def _time_get(
    client: Any, name: str, path: str, params: dict[str, Any], repeat: int
) -> dict[str, Any]:
    samples = []
    found = None
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(path, params)
        samples.append((time.perf_counter() - t) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {response.status_code} {response.content[:300]!r}")
        if found is None and path.startswith("/api/"):
            found = len(response.json()["items"])
    return _row(name, samples, {"rows": found})


def measure(contacts: int, repeat: int) -> list[dict[str, Any]]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from helpdesk.crm import segments
    from helpdesk.models import ApiToken, Segment

    users = get_user_model().objects
    admin, agent = users.get(username="agent0"), users.get(username="agent1")
    api = {
        who: Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(u)[1]}")
        for who, u in (("admin", admin), ("agent", agent))
    }
    probe = contacts // 2 + 7  # a contact in the middle of the table
    tg = probe - probe % 5 + 2  # one with a Telegram chat (every fifth)
    cases = [
        ("list", {}),
        ("search name fa (Arabic keyboard)", {"q": "علي کريمي " + str(probe)[:4]}),
        ("search common name (Maryam)", {"q": "Maryam"}),
        ("search rare name", {"q": f"Smith {probe - probe % 6 + 2}"}),
        ("search mobile local form", {"q": "0912" + str(probe).zfill(7)}),
        (
            "search mobile Persian digits",
            {
                "q": "۰۹۱۲"
                + str(probe).zfill(7).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
            },
        ),
        ("search part of a number", {"q": str(probe).zfill(7)}),
        ("search email", {"q": f"customer{probe}@example.com"}),
        ("search Telegram @username", {"q": f"@user_{tg}"}),
        ("search Telegram username", {"q": f"user_{tg}"}),
        ("filter tag vip", {"tag": "vip"}),
    ]
    rows = []
    for who in ("admin", "agent"):
        for name, params in cases:
            path = "/api/v1/contacts"
            rows.append(_time_get(api[who], f"{who}: {name}", path, params, repeat))
    page = Client()
    page.force_login(admin)
    rows.append(_time_get(page, "admin: contacts page", "/contacts/", {}, repeat))
    search = {"q": "رضا"}
    rows.append(_time_get(page, "admin: contacts page, search", "/contacts/", search, repeat))
    definitions = {
        "segment vip": {"tags": ["vip"]},
        "segment plan gold": {"attributes": [{"key": "plan", "value": "gold"}]},
        "segment gold + seats >= 50": {
            "attributes": [
                {"key": "plan", "value": "gold"},
                {"key": "seats", "op": "gte", "value": 50},
            ]
        },
        "segment company 7": {"company_id": 7},
        "segment open tickets": {"has_open_tickets": True},
        "segment seen in 7 days": {"seen_within_days": 7},
    }
    for name, definition in definitions.items():
        segment, _ = Segment.objects.get_or_create(name=name, defaults={"definition": definition})
        samples = []
        count = 0
        for _ in range(repeat // 2):
            t = time.perf_counter()
            count = segments.count(segment)
            samples.append((time.perf_counter() - t) * 1000)
        rows.append(_row(name, samples, {"rows": count}))
    return rows


def measure_import(contacts: int, size: int) -> dict[str, Any]:
    """A CSV of `size` rows: half known contacts (by phone, local form), half new, 1 % bad."""
    from django.contrib.auth import get_user_model

    from helpdesk.actions.imports import do_start_import, run_import
    from helpdesk.models import AttributeDefinition

    AttributeDefinition.objects.get_or_create(
        entity="contact",
        key="plan",
        defaults={"label": "Plan", "type": "list", "choices": ["gold", "silver", "bronze", "free"]},
    )

    out = io.StringIO()
    out.write("name,email,mobile,tags,plan\n")
    for i in range(size):
        if i % 100 == 99:
            out.write(f"Bad {i},not-an-email,,,\n")
        elif i % 2:
            known = 1 + (i * 7919) % contacts
            out.write(f"Known {i},,0912{known:07d},imported,gold\n")
        else:
            out.write(f"New person {i},new{i}.{time.time_ns()}@example.org,,imported,silver\n")
    admin = get_user_model().objects.get(username="agent0")
    raw = out.getvalue().encode()
    mapping = {
        "name": "name",
        "email": "email",
        "mobile": "phone",
        "tags": "tags",
        "plan": "attr:plan",
    }
    t = time.perf_counter()
    job = do_start_import(admin, "bench.csv", raw, mapping)
    job = run_import(job.pk)
    seconds = time.perf_counter() - t
    return {
        "case": "import",
        "rows": size,
        "seconds": round(seconds, 2),
        "contacts_per_s": round(size / seconds),
        "created": job.created_count,
        "updated": job.updated_count,
        "rejected": job.rejected_count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    opts = parser.parse_args()
    contacts = 20_000 if opts.quick else 1_000_000
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
    seconds = 0.0 if opts.reuse else generate(env, contacts)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    rows = measure(contacts, QUICK_REPEAT if opts.quick else REPEAT)
    rows.append(measure_import(contacts, 2_000 if opts.quick else 50_000))
    print(f"{contacts} contacts" + (f", generated in {seconds:.0f} s" if seconds else ""))
    print(f"{'case':<44} {'p50 ms':>8} {'p95 ms':>8} {'rows':>8}")
    for r in rows[:-1]:
        print(f"{r['case']:<44} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['rows']!s:>8}")
    imp = rows[-1]
    print(
        f"import: {imp['rows']} rows in {imp['seconds']} s = {imp['contacts_per_s']} contacts/s "
        f"({imp['created']} created, {imp['updated']} updated, {imp['rejected']} rejected)"
    )
    append_result("crm_contacts.jsonl", "crm_contacts", {"contacts": contacts, "rows": rows})
    api = [
        r for r in rows if r["case"].startswith(("admin:", "agent:")) and "page" not in r["case"]
    ]
    seg = [r for r in rows if r["case"].startswith("segment")]
    print(
        f"headline: list/search p95 worst {max(r['p95_ms'] for r in api)} ms, segment count p95 "
        f"worst {max(r['p95_ms'] for r in seg)} ms, import {imp['contacts_per_s']} contacts/s"
    )


if __name__ == "__main__":
    main()
