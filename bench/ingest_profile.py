"""Where one `receive()` spends its time: statements per message and a cProfile.

One process receives N messages one per call (half new conversations, half
replies, as bench/ingest_throughput.py) on a fresh PostgreSQL database
(`hd_bench_ingest_profile`) with Redis, then prints the statements run per
message (inside and after the transaction) and the top of a cProfile.

    .venv/bin/python bench/ingest_profile.py            # 1,000 messages
    .venv/bin/python bench/ingest_profile.py --quick    # 300, < 60 s

Bounded in count; loopback only.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _common import recreate_database

ROOT = Path(__file__).resolve().parent.parent
DB = "hd_bench_ingest_profile"


def _setup(tmp: str) -> int:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/14"
    os.environ["HELPDESK_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CHANNEL_LAYER_PREFIX"] = "benchprof"
    recreate_database(DB)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from helpdesk.models import Inbox, Team

    team = Team.objects.create(name="Bench")
    return Inbox.objects.create(kind="email", name="bench", team=team).pk


def _messages(inbox_id: int, count: int, tag: str) -> list[object]:
    from django.utils import timezone

    from helpdesk.inbound import InboundMessage, Sender, ThreadHints

    out: list[object] = []
    for i in range(count):
        reply = i % 2 == 1
        sender = f"c{tag}-{i - 1 if reply else i}@example.com"
        out.append(
            InboundMessage(
                inbox_id=inbox_id,
                external_id=f"<{tag}-{i}@bench>",
                sender=Sender(kind="email", address=sender, display_name="مشتری"),
                received_at=timezone.now(),
                subject="Re: سفارش" if reply else f"Order {i} / سفارش",
                text="سلام، وضعیت سفارش من چیست؟ Where is my order? " * 4,
                thread=ThreadHints(in_reply_to=f"<{tag}-{i - 1}@bench>" if reply else None),
            )
        )
    return out


def _backend_cpu(pid: int) -> float:
    """CPU seconds of a PostgreSQL backend on this host (/proc: loopback only)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_split(connection, msgs, receive) -> None:  # type: ignore[no-untyped-def]
    """CPU per message of this process (Django, psycopg) and of its PostgreSQL backend."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    started, ours, theirs = time.perf_counter(), time.process_time(), _backend_cpu(pid)
    for msg in msgs:
        receive(msg)
    n, wall = len(msgs), time.perf_counter() - started
    ours, theirs = time.process_time() - ours, _backend_cpu(pid) - theirs
    print(
        f"{n} messages without the profiler: {n / wall:.1f} msg/s; CPU per message: "
        f"this process {ours / n * 1000:.2f} ms, its PostgreSQL backend {theirs / n * 1000:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--top", type=int, default=35)
    opts = parser.parse_args()
    count = max(opts.count or (300 if opts.quick else 1000), 300)
    with tempfile.TemporaryDirectory(prefix="hd-prof-") as tmp:
        inbox_id = _setup(tmp)
        from django.db import connection

        from helpdesk.ingest import receive

        for msg in _messages(inbox_id, 50, "warm"):
            receive(msg)  # type: ignore[arg-type]
        statements: Counter[str] = Counter()

        def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            statements[" ".join(sql.split())[:90]] += 1
            return execute(sql, params, many, context)

        msgs = _messages(inbox_id, count, "run")
        with connection.execute_wrapper(counting):
            for msg in msgs[:100]:
                receive(msg)  # type: ignore[arg-type]
        print(f"statements per message: {sum(statements.values()) / 100:.1f}")
        for sql, n in statements.most_common():
            print(f"  {n / 100:5.2f}  {sql}")
        _cpu_split(connection, msgs[100:200], receive)
        profile = cProfile.Profile()
        started = time.perf_counter()
        cpu = time.process_time()
        profile.enable()
        for msg in msgs[200:]:
            receive(msg)  # type: ignore[arg-type]
        profile.disable()
        n = count - 200
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        print(f"{n} messages: {n / wall:.1f} msg/s, {cpu / n * 1000:.2f} ms CPU per message")
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(opts.top)
        stats.sort_stats("tottime").print_stats(opts.top)


if __name__ == "__main__":
    main()
