"""SMS webhook ingest: Kavenegar-style callbacks per second through the whole desk.

Each request goes through Django's full stack (middleware, URL routing, the SMS
view: path-secret check, form parsing, phone normalisation) into
helpdesk.ingest (dedupe, contact, threading, message, events, automation hooks),
in-process with Django's test client (no socket: what is measured is the desk,
not the HTTP server). Four kinds of request, in this order:

* new: a text from a new number (new contact, new ticket);
* reply: a second text from a number already seen (threads into its ticket);
* duplicate: a redelivered webhook (dedupe answers, nothing stored);
* report: a delivery report for a sent text (status moved forward).

    .venv/bin/python bench/webhook_ingest_sms.py            # full run
    .venv/bin/python bench/webhook_ingest_sms.py --quick    # <= 60 s

Runs on SQLite (a temporary file) and, when it answers, on PostgreSQL (database
`hd_bench_sms`, recreated). Bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import append_result, recreate_database

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/hd_bench_sms"
TIME_LIMIT_S = 20.0  # per kind of request, whatever the count
QUICK_LIMIT_S = 4.0
KINDS = ("new", "reply", "duplicate", "report")


def _postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


def _child(count: int, limit_s: float) -> dict[str, dict[str, float]]:
    """Runs inside the configured process: migrate, one line, then the four kinds."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from channels_in.sms.models import OutboundSms, SmsConfig
    from helpdesk.models import Inbox, Team

    team = Team.objects.create(name="Bench")
    inbox = Inbox.objects.create(kind="sms", name="bench sms", team=team)
    line = SmsConfig.objects.create(inbox=inbox, sender_number="10004346", api_key="bench")
    client = Client()
    base = f"/channels/sms/{inbox.pk}/{line.webhook_secret}"
    for n in range(count):
        OutboundSms.objects.create(inbox=inbox, provider_message_id=f"out-{n}")

    def body(kind: str, n: int) -> tuple[str, dict[str, str]]:
        number = f"0912{n:07d}"
        text = f"سلام، سفارش {n} من کی می‌رسد؟"
        if kind == "new":
            return "inbound", {
                "messageid": f"in-{n}",
                "from": number,
                "to": "10004346",
                "message": text,
            }
        if kind == "reply":
            return "inbound", {
                "messageid": f"re-{n}",
                "from": number,
                "to": "10004346",
                "message": "ممنون",
            }
        if kind == "duplicate":
            return "inbound", {
                "messageid": f"in-{n}",
                "from": number,
                "to": "10004346",
                "message": text,
            }
        return "report", {"messageid": f"out-{n}", "status": "10"}

    # Warm up (imports, first queries, caches) on a number outside the measured ones.
    warm = {"messageid": "warm", "from": "09350000000", "to": "10004346", "message": "hi"}
    client.post(f"{base}/inbound/", warm)
    results: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        latencies: list[float] = []
        started = time.perf_counter()
        for n in range(count):
            if time.perf_counter() - started > limit_s:
                break
            path, data = body(kind, n)
            t0 = time.perf_counter()
            response = client.post(f"{base}/{path}/", data)
            latencies.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.content
        elapsed = time.perf_counter() - started
        latencies.sort()
        results[kind] = {
            "requests": len(latencies),
            "per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
        }
    return results


def _run(db: str, count: int, quick: bool) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env |= {"HELPDESK_VAR_DIR": tmp, "DJANGO_SETTINGS_MODULE": "config.settings"}
        env |= {"DEBUG": "false", "ALLOWED_HOSTS": "testserver"}
        if db == "postgres":
            recreate_database("hd_bench_sms")
            env["DATABASE_URL"] = PG_URL
        else:
            env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(count)] + (["--quick"] if quick else []),
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=600,
        )
    result: dict[str, dict[str, float]] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="100 requests (at most 4 s) per kind (< 60 s)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(_child(args.child, QUICK_LIMIT_S if args.quick else TIME_LIMIT_S)))
        return
    count = 100 if args.quick else 2000
    dbs = ["sqlite", *(["postgres"] if _postgres_answers() else [])]
    for db in dbs:
        results = _run(db, count, args.quick)
        for kind, row in results.items():
            print(
                f"{db:9} {kind:10} {row['requests']:6.0f} requests  {row['per_s']:7.1f}/s  "
                f"p50 {row['p50_ms']:6.2f} ms  p95 {row['p95_ms']:6.2f} ms"
            )
        append_result(
            "webhook_ingest_sms.jsonl",
            "webhook_ingest_sms",
            {"db": db, "quick": args.quick, "per_kind": results},
        )


if __name__ == "__main__":
    main()
