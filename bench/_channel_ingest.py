"""Shared scaffolding of the per-channel webhook ingest benchmarks (Bale, WhatsApp).

A script names its kinds of request and a `setup()` run inside a configured
child process (a fresh database, migrated) that returns `send(kind, n) ->
status code`; this module times each kind (bounded in count and time), on
SQLite and, when it answers, PostgreSQL, prints and appends the results.
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
from collections.abc import Callable
from pathlib import Path

from _common import append_result, recreate_database

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT_S = 20.0
QUICK_LIMIT_S = 3.0

type Send = Callable[[str, int], int]
type Setup = Callable[[int], Send]  # gets the number of requests per kind


def _postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


def _measure(
    setup: Setup, kinds: dict[str, int], count: int, limit_s: float
) -> dict[str, dict[str, float]]:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    send = setup(count)
    send("warm", 0)  # imports, first queries, caches
    results: dict[str, dict[str, float]] = {}
    for kind, expected in kinds.items():
        latencies: list[float] = []
        started = time.perf_counter()
        for n in range(count):
            if time.perf_counter() - started > limit_s:
                break
            t0 = time.perf_counter()
            status = send(kind, n)
            latencies.append(time.perf_counter() - t0)
            assert status == expected, (kind, n, status)
        elapsed = time.perf_counter() - started
        latencies.sort()
        results[kind] = {
            "requests": len(latencies),
            "per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p95_ms": round(latencies[max(int(len(latencies) * 0.95) - 1, 0)] * 1000, 2),
        }
    return results


def main(name: str, script: str, setup: Setup, kinds: dict[str, int]) -> None:
    """The benchmark's command line: `--quick` (100 requests, at most 4 s per kind)."""
    parser = argparse.ArgumentParser(description=f"{name} webhook ingest")
    parser.add_argument("--quick", action="store_true", help="100 requests per kind (< 60 s)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        limit = QUICK_LIMIT_S if args.quick else TIME_LIMIT_S
        print(json.dumps(_measure(setup, kinds, args.child, limit)))
        return
    count = 100 if args.quick else 2000
    database = f"hd_bench_{name}"
    for db in ["sqlite", *(["postgres"] if _postgres_answers() else [])]:
        with tempfile.TemporaryDirectory() as tmp:
            env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
            env |= {"HELPDESK_VAR_DIR": tmp, "DJANGO_SETTINGS_MODULE": "config.settings"}
            env |= {"DEBUG": "false", "ALLOWED_HOSTS": "testserver"}
            if db == "postgres":
                recreate_database(database)
                env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
            else:
                env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            command = [sys.executable, script, "--child", str(count)]
            out = subprocess.run(
                command + (["--quick"] if args.quick else []),
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                timeout=600,
            )
        results = json.loads(out.stdout.decode().strip().splitlines()[-1])
        for kind, row in results.items():
            print(
                f"{db:9} {kind:10} {row['requests']:6.0f} requests  {row['per_s']:7.1f}/s  "
                f"p50 {row['p50_ms']:6.2f} ms  p95 {row['p95_ms']:6.2f} ms"
            )
        append_result(
            f"webhook_ingest_{name}.jsonl",
            f"webhook_ingest_{name}",
            {"db": db, "quick": args.quick, "per_kind": results},
        )
