"""Outbound webhooks: events per second delivered to a local receiver, 1 and 4 workers.

    .venv/bin/python bench/webhooks_delivery.py          # 1,000 events per run, 2 receivers
    .venv/bin/python bench/webhooks_delivery.py --quick  # 150 events, the instant receiver

PostgreSQL database `hd_bench_webhooks` (recreated), one active subscription to
an HTTP receiver on loopback (http.server, answering 200 at once, or after 20 ms
to play a slower receiver). For each run, `events` desk events (ticket.tags_changed
over 50 tickets, recorded with helpdesk.events.record_many, i.e. the real event
log and its on-commit fan-out nudge) are written while no worker runs; then N
`manage.py db_worker` processes start (production's command) and the clock runs
from the first POST the receiver gets to the last. So the figure is the whole
pipeline after the event: fan-out, one task per delivery claimed by the workers,
signing, the POST, the outcome, the next delivery of the ticket enqueued.
Bounded: every run stops after 90 s (30 s with --quick).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from _common import append_result, machine, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "hd_bench_webhooks"
TICKETS = 50


class Receiver:
    def __init__(self, delay: float) -> None:
        self.times: list[float] = []
        self.delay = delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.delay:
                    time.sleep(receiver.delay)
                receiver.times.append(time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def setup(env: dict[str, str]) -> None:
    recreate_database(DB_NAME)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0", "--skip-checks"],
        env=env,
        cwd=ROOT,
        check=True,
    )


def write_events(count: int, tickets: list[Any]) -> None:
    from django.db import transaction

    from helpdesk import events
    from helpdesk.event_schemas import TicketTagsChanged

    for start in range(0, count, 500):
        with transaction.atomic():
            events.record_many(
                [
                    events.Pending(TicketTagsChanged(ticket_id=t.pk, tags=[f"bench-{n}"]), t, None)
                    for n in range(start, min(count, start + 500))
                    for t in [tickets[n % len(tickets)]]
                ]
            )


def start_workers(n: int, env: dict[str, str], log: Path) -> list[subprocess.Popen[bytes]]:
    cmd = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.05"]
    cmd += ["--no-startup-delay", "--no-reload", "--skip-checks", "-v1"]
    with log.open("ab") as out:
        return [
            subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
            for _ in range(n)
        ]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(timeout=15)
        except subprocess.TimeoutExpired:
            w.kill()


def run(
    workers: int, count: int, receiver: Receiver, tickets: list[Any], env: dict[str, str]
) -> dict[str, Any]:
    from helpdesk.outbound_webhooks.models import Delivery

    receiver.times.clear()
    write_events(count, tickets)
    # Without Redis each process has its own cache, so the nudge's "already queued"
    # mark of a previous run may linger here: queue this run's fan-out by hand.
    from helpdesk.outbound_webhooks.dispatch import fan_out

    fan_out.enqueue()
    procs = start_workers(workers, env, Path(tempfile.gettempdir()) / "bench_webhooks.log")
    deadline = time.monotonic() + (30.0 if count <= 150 else 90.0)
    try:
        while len(receiver.times) < count and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop(procs)
    got = len(receiver.times)
    span = receiver.times[-1] - receiver.times[0] if got > 1 else 0.0
    failed = Delivery.objects.exclude(status="succeeded").count()
    Delivery.objects.all().delete()
    return {
        "workers": workers,
        "events": count,
        "delivered": got,
        "seconds": round(span, 2),
        "events_per_s": round((got - 1) / span, 1) if span else 0.0,
        "not_succeeded": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="150 events, one receiver")
    args = parser.parse_args()
    count = 150 if args.quick else 1000
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HELPDESK_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        # One key for every process: the workers decrypt the secret this one stored.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    }
    env.pop("REDIS_URL", None)  # the in-process layer: no socket listens to the events
    setup(env)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from helpdesk.models import Role
    from helpdesk.outbound_webhooks.actions import do_create_subscription
    from tests import factories

    team = factories.make_team("Bench")
    inbox = factories.make_inbox(team, "email")
    admin = factories.make_user("bench-admin", role=Role.ADMIN)
    from tests.helpdesk.actions_helpers import open_ticket

    tickets = [open_ticket(inbox, sender=f"c{n}@example.com") for n in range(TICKETS)]
    results = []
    for delay in (0.0,) if args.quick else (0.0, 0.02):
        receiver = Receiver(delay)
        do_create_subscription(
            admin,
            {"name": f"bench {delay}", "url": receiver.url, "event_types": ["ticket.updated"]},
        )
        for workers in (1, 4):
            result = run(workers, count, receiver, tickets, env) | {
                "receiver_delay_ms": delay * 1000
            }
            print(result, flush=True)
            results.append(result)
        from helpdesk.outbound_webhooks.models import Subscription

        Subscription.objects.update(active=False)
    append_result(
        "webhooks_delivery.jsonl",
        "webhooks_delivery",
        {"quick": args.quick, "runs": results, "note": "machine: " + machine()},
    )


if __name__ == "__main__":
    main()
