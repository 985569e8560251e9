"""Ingest throughput: InboundMessages per second through the whole path.

Each message goes through helpdesk.ingest: dedupe, contact, threading, message,
events (published on commit to the channel layer), automation hooks. Half open
new tickets, half reply to an earlier message of the same producer. Rows with
batch 1 call receive() per message (a live channel); the others hand
receive_many() 50 at a time (a mail import, a mailbox's backlog).

    .venv/bin/python bench/ingest_throughput.py            # full run
    .venv/bin/python bench/ingest_throughput.py --quick    # <= 60 s

Runs on SQLite (a temporary file, in-process layer) and, when it answers, on
PostgreSQL (database `hd_bench_ingest`, recreated) with Redis pub/sub, with 1 and
4 producer processes. Bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import append_result, recreate_database

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/hd_bench_ingest"
REDIS_URL = "redis://127.0.0.1:6379/15"
TIME_LIMIT_S = 120.0  # per configuration, whatever the count
BATCH = 50  # messages per receive_many() call in the batched rows


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _env_for(db: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["HELPDESK_VAR_DIR"] = str(workdir)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["CHANNEL_LAYER_PREFIX"] = "bench"
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL
        env["REDIS_URL"] = REDIS_URL
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    return env


# Each configuration starts from a freshly migrated database; the migration runs once
# per database kind and run, and later configurations copy its result (a PostgreSQL
# template, a SQLite file): a migration costs ~20 s, the --quick rows under a second.
TEMPLATE_DB = "hd_bench_ingest_tpl"
_migrated: dict[str, Path] = {}


def _prepare(db: str, env: dict[str, str]) -> int:
    """Create a fresh, migrated database, and return the id of an email inbox."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    if db == "postgres":
        if "postgres" not in _migrated:
            recreate_database(TEMPLATE_DB)
            tpl_env = env | {"DATABASE_URL": PG_URL.rsplit("/", 1)[0] + "/" + TEMPLATE_DB}
            subprocess.run([*manage, "migrate", "-v0"], env=tpl_env, check=True, cwd=ROOT)
            _migrated["postgres"] = Path(TEMPLATE_DB)
        for sql in (
            "DROP DATABASE IF EXISTS hd_bench_ingest",
            f"CREATE DATABASE hd_bench_ingest TEMPLATE {TEMPLATE_DB}",
        ):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
                check=True,
                capture_output=True,
            )
    else:
        target = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
        if "sqlite" not in _migrated:
            subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
            keep = Path(tempfile.mkdtemp(prefix="hd-bench-tpl-")) / "template.sqlite3"
            shutil.copyfile(target, keep)
            _migrated["sqlite"] = keep
        else:
            shutil.copyfile(_migrated["sqlite"], target)
    code = (
        "from helpdesk.models import Team, Inbox;"
        "t=Team.objects.create(name='Bench');"
        "print(Inbox.objects.create(kind='email', name='bench', team=t).pk)"
    )
    out = subprocess.run(
        [*manage, "shell", "-c", code], env=env, check=True, cwd=ROOT, capture_output=True
    )
    return int(out.stdout.decode().strip().splitlines()[-1])


def _producer(args: tuple[dict[str, str], int, int, int, float, int]) -> tuple[int, float]:
    env, inbox_id, worker, count, deadline, batch = args
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from helpdesk.inbound import InboundMessage, Sender, ThreadHints
    from helpdesk.ingest import receive, receive_many

    done = 0
    started = time.perf_counter()
    previous: list[str] = []
    pending: list[InboundMessage] = []
    for i in range(count):
        if time.time() > deadline:
            break
        reply = i % 2 == 1 and previous
        ext = f"<w{worker}-{i}@bench>"
        sender = f"customer{worker}-{i - 1 if reply else i}@example.com"
        pending.append(
            InboundMessage(
                inbox_id=inbox_id,
                external_id=ext,
                sender=Sender(kind="email", address=sender, display_name="مشتری"),
                received_at=timezone.now(),
                subject="Re: سفارش شماره ۱۲" if reply else f"Order {worker}-{i} / سفارش",
                text="سلام، وضعیت سفارش من چیست؟ Where is my order? " * 4,
                thread=ThreadHints(in_reply_to=previous[-1] if reply else None),
            )
        )
        if not reply:
            previous.append(ext)
        if len(pending) >= batch:
            if batch == 1:
                receive(pending[0])
            else:
                receive_many(pending)
            done += len(pending)
            pending = []
    if pending:
        receive_many(pending)
        done += len(pending)
    return done, time.perf_counter() - started


def run_config(db: str, producers: int, per_producer: int, batch: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="hd-bench-") as tmp:
        env = _env_for(db, Path(tmp))
        inbox_id = _prepare(db, env)
        deadline = time.time() + TIME_LIMIT_S
        ctx = mp.get_context("spawn")
        wall = time.perf_counter()
        with ctx.Pool(producers) as pool:
            jobs = [(env, inbox_id, w, per_producer, deadline, batch) for w in range(producers)]
            results = pool.map(_producer, jobs)
        wall = time.perf_counter() - wall
    total = sum(n for n, _ in results)
    busy = max(t for _, t in results)
    return {
        "db": db,
        "producers": producers,
        "batch": batch,
        "messages": total,
        "seconds": round(busy, 3),
        "wall_seconds": round(wall, 3),
        "per_second": round(total / busy, 1) if busy else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="PostgreSQL (else SQLite), 4 producers, 300 messages a row: at most 60 s",
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--batch", choices=["1", "50", "both"], default="both", help="which batch rows to run"
    )
    parser.add_argument("--per", type=int, default=0, help="messages per configuration")
    opts = parser.parse_args()
    per = opts.per or (300 if opts.quick else 2500)
    batches = [1, BATCH] if opts.batch == "both" else [int(opts.batch)]
    dbs = ["sqlite", "postgres"] if opts.db == "both" else [opts.db]
    if opts.quick and opts.db == "both":
        dbs = ["postgres"] if _answers(5432) and _answers(6379) else ["sqlite"]
    if "postgres" in dbs and not (_answers(5432) and _answers(6379)):
        print("PostgreSQL or Redis not reachable on 127.0.0.1: PostgreSQL runs skipped")
        dbs.remove("postgres")
    rows = []
    for db in dbs:
        for batch in batches:
            for producers in (4,) if opts.quick else (1, 4):
                count = per // producers if producers > 1 else per
                rows.append(run_config(db, producers, count, batch))
    print(
        f"{'database':<10} {'producers':>9} {'batch':>6} {'messages':>9} "
        f"{'seconds':>8} {'msg/s':>8}"
    )
    for r in rows:
        print(
            f"{r['db']:<10} {r['producers']:>9} {r['batch']:>6} {r['messages']:>9} "
            f"{r['seconds']:>8} {r['per_second']:>8}"
        )
    # DATABASE_PREPARED_STATEMENTS=1 (config/settings.py): psycopg's server-side prepare.
    prepared = os.environ.get("DATABASE_PREPARED_STATEMENTS", "")
    record = {"quick": opts.quick, "prepared_statements": prepared, "rows": rows}
    append_result("ingest.jsonl", "ingest_throughput", record)
    head = rows[-1]
    print(
        f"headline: {head['db']} x{head['producers']} producers, batches of {head['batch']}: "
        f"{head['per_second']} msg/s"
    )


if __name__ == "__main__":
    main()
