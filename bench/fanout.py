"""Real-time fan-out: N authenticated agent sockets on one team, events at rate R.

    .venv/bin/python bench/fanout.py            # (100,20) (100,50) (1000,5), all servers
    .venv/bin/python bench/fanout.py --quick    # (100,20), floor and uvicorn; <= 60 s
    .venv/bin/python bench/fanout.py --configs 1000x5 --servers uvicorn --profile /tmp/prof
        # one config and server; py-spy (pip install py-spy) samples the server
        # while the events flow: collapsed stacks per run in /tmp/prof/<run>.txt

Events are produced by the real action (an internal note, helpdesk.actions
.messages.do_add_note) in another process at rate R; they travel through
PostgreSQL, Redis and the production server to N sockets of the real inbox
consumer (/ws/agent/, session-authenticated), opened before the first event.
Reported per server: delivered ratio, deliveries per second, latency p50/p95/p99
from the start of the action to receipt, the p50/p99 from the action's return
(committed; the fan-out path alone), and the server's CPU microseconds per
delivery up to the last receipt, next to the floor: a bare `websockets` server
broadcasting the same frames with websockets.broadcast(), without compression
like the desk's servers. Servers: "daphne" and "uvicorn" with the desk's layer
(helpdesk.fanout); "-pubsub" / "-core" use channels-redis' own layers instead,
"uvicorn-deflate" lets uvicorn negotiate permessage-deflate. The client
(_fanout_client.py) parses frames in place, so that it adds little latency of
its own on the shared cores. Loopback only; every phase is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import append_result, recreate_database
from _fanout_client import run_clients
from _procs import cpu_seconds, free_port, raise_fd_limit, start_profiler, stop_profiler

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "hd_bench_fanout"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/14"


@dataclass
class Outcome:
    server: str
    sockets: int
    rate: int
    events: int
    expected: int
    delivered: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    committed_ms: list[float] = field(default_factory=list)  # from the action's return
    action_ms: list[float] = field(default_factory=list)  # do_add_note's own time

    def row(self) -> dict[str, object]:
        lat = sorted(self.latencies_ms) or [float("nan")]
        com = sorted(self.committed_ms) or [float("nan")]
        act = sorted(self.action_ms) or [float("nan")]

        def pct(p: float, values: list[float] = lat) -> float:
            return round(values[min(len(values) - 1, int(p * len(values)))], 2)

        return {
            "server": self.server,
            "sockets": self.sockets,
            "rate": self.rate,
            "events": self.events,
            "delivered_ratio": round(self.delivered / self.expected, 4) if self.expected else 0,
            "deliveries_per_s": round(self.delivered / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(statistics.median(lat), 2),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "p50_commit_ms": pct(0.5, com),
            "p99_commit_ms": pct(0.99, com),
            "action_p50_ms": pct(0.5, act),
            "action_p99_ms": pct(0.99, act),
            "cpu_us_per_delivery": round(1e6 * self.cpu_seconds / self.delivered, 1)
            if self.delivered
            else None,
        }


# One key for every process of the run: HELPDESK_VAR_DIR is a fresh directory with no
# secret_key.txt, so each process would otherwise draw its own and the server could not
# read the sessions the setup wrote ("Session data corrupted", 403 on every socket).
RUN_SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)


def django_env(tmp: Path, layer: str = "fanout") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SECRET_KEY=RUN_SECRET_KEY,
        DATABASE_URL=PG_URL,
        REDIS_URL=REDIS_URL,
        CHANNEL_LAYER_PREFIX="benchfan",
        CHANNEL_LAYER_BACKEND=layer,
        HELPDESK_VAR_DIR=str(tmp),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


SETUP = """
import json, sys
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from helpdesk.models import Agent
from helpdesk.models import Team, Inbox
from tests.factories import inbound
from helpdesk.ingest import receive
n = int(sys.argv[1])
team = Team.objects.create(name="Fan-out")
inbox = Inbox.objects.create(kind="email", name="fanout", team=team)
User = get_user_model()
admin = User.objects.create_user("bench-admin", password="x")
Agent.objects.create(user=admin, role="admin")
keys = []
for i in range(n):
    u = User(username=f"agent{i}")
    u.set_unusable_password()
    u.save()
    Agent.objects.create(user=u).teams.add(team)
    s = SessionStore()
    s[SESSION_KEY] = str(u.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = u.get_session_auth_hash()
    s.create()
    keys.append(s.session_key)
ticket = receive(inbound(inbox)).ticket
print(json.dumps({"keys": keys, "ticket": ticket.pk, "admin": admin.pk}))
"""

# Prints when each action returned (committed, event handed to the publisher),
# by the send time it carries: latency from commit leaves the action's own
# PostgreSQL time out of the fan-out path.
PUBLISH = """
import json, sys, time
from django.contrib.auth import get_user_model
from helpdesk.actions.messages import do_add_note
from helpdesk.publisher import flush
ticket, admin = int(sys.argv[1]), int(sys.argv[2])
rate, seconds = float(sys.argv[3]), float(sys.argv[4])
actor = get_user_model().objects.get(pk=admin)
# A warm process, as a web worker is: the first action of a fresh one (connection,
# caches) is slow, and at 1,000 sockets its deliveries alone are 2 % of the samples.
do_add_note(actor, ticket, "warm-up")
flush(10)
count = int(rate * seconds)
start = time.perf_counter()
committed = {}
for i in range(count):
    target = start + i / rate
    delay = target - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
    sent = repr(time.time())
    do_add_note(actor, ticket, sent)
    committed[sent] = time.time()
flush(10)
print(json.dumps(committed))
"""


def manage_shell(code: str, env: dict[str, str], *args: str) -> str:
    script = "import django; django.setup()\n" + code
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out.stdout.decode().strip().splitlines()[-1]


def prepare_database(env: dict[str, str], sockets: int) -> dict[str, object]:
    recreate_database(DB_NAME)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=600
    )
    return dict(json.loads(manage_shell(SETUP, env, str(sockets))))


def start_server(
    kind: str, port: int, env: dict[str, str], rate: int, seconds: float
) -> subprocess.Popen[bytes]:
    if kind.startswith("daphne"):
        cmd = [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ]
    elif kind.startswith("uvicorn"):
        # The production command (docs/operations.md), without permessage-deflate:
        # a zlib stream per socket, for frames of a few hundred bytes, was a third
        # of uvicorn's CPU per delivery (py-spy). "-deflate" puts it back.
        deflate = "true" if "-deflate" in kind else "false"
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--ws-per-message-deflate",
            deflate,
            "config.asgi:application",
        ]
    else:
        floor = str(ROOT / "bench" / "_floor_server.py")
        cmd = [sys.executable, floor, str(port), str(rate), str(seconds)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, preexec_fn=raise_fd_limit)  # noqa: S603, PLW1509
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{kind} did not start on port {port}")


def measure(
    kind: str, sockets: int, rate: int, seconds: float, tmp: Path, profile: Path | None = None
) -> Outcome:
    # "daphne" / "uvicorn": the desk's default layer (helpdesk.fanout); "-pubsub" or
    # "-core" in the name selects channels-redis' own pub/sub or list-based layer.
    layer = "core" if "-core" in kind else "pubsub" if "-pubsub" in kind else "fanout"
    env = django_env(tmp, layer)
    events = int(rate * seconds)
    outcome = Outcome(kind, sockets, rate, events, expected=events * sockets)
    info = prepare_database(env, sockets) if kind != "floor" else {"keys": ["-"] * sockets}
    port = free_port()
    server = start_server(kind, port, env, rate, seconds)
    try:
        keys = [str(k) for k in info["keys"]]  # type: ignore[attr-defined]
        path = "/" if kind == "floor" else "/ws/agent/"

        async def scenario() -> tuple[int, list[tuple[float, str]], float, float]:
            ready = asyncio.Event()
            cpu = [0.0, 0.0]

            def snapshot() -> None:
                cpu[1] = cpu_seconds(server.pid)

            clients = asyncio.create_task(
                run_clients(port, keys, path, events, seconds + 30, ready, snapshot)
            )
            # Events start once every socket is open (accepted after joining its
            # groups): a socket still connecting would miss them, and the server's
            # handshakes would count as delivery CPU.
            await asyncio.wait_for(ready.wait(), timeout=120)
            await asyncio.sleep(1)
            spy = start_profiler(server.pid, profile, f"{kind}-{sockets}x{rate}")
            cpu[0] = cpu_seconds(server.pid)
            if kind == "floor":
                os.kill(server.pid, signal.SIGUSR1)  # the floor server starts broadcasting
            else:
                out = await asyncio.to_thread(
                    manage_shell,
                    PUBLISH,
                    env,
                    str(info["ticket"]),
                    str(info["admin"]),
                    str(rate),
                    str(seconds),
                )
                committed.update(json.loads(out))
            delivered, samples, span = await clients
            stop_profiler(spy)
            return delivered, samples, span, cpu[1] - cpu[0]

        committed: dict[str, float] = {}
        delivered, samples, span, cpu = asyncio.run(scenario())
        outcome.delivered, outcome.seconds, outcome.cpu_seconds = delivered, span, cpu
        outcome.latencies_ms = [(now - float(sent)) * 1000 for now, sent in samples]
        outcome.committed_ms = [
            (now - committed.get(sent, float(sent))) * 1000 for now, sent in samples
        ]
        outcome.action_ms = [(done - float(sent)) * 1000 for sent, done in committed.items()]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--servers", default="floor,daphne,uvicorn,daphne-pubsub,uvicorn-pubsub,daphne-core"
    )
    parser.add_argument("--configs", default="100x20,100x50,1000x5", help="NxR,...")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--profile", type=Path, help="py-spy flame graphs of the servers here")
    opts = parser.parse_args()
    raise_fd_limit()
    configs = [(int(n), int(r)) for n, r in (c.split("x") for c in opts.configs.split(",") if c)]
    seconds = opts.seconds
    servers = opts.servers.split(",")
    if opts.quick:
        # The production server and its floor: a smoke run within the minute.
        configs, seconds, servers = [(100, 20)], 4.0, ["floor", "uvicorn"]
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="hd-fanout-") as tmp:
        for sockets, rate in configs:
            for kind in servers:
                print(f"{kind}: {sockets} sockets, {rate} events/s", flush=True)
                outcome = measure(kind, sockets, rate, seconds, Path(tmp), opts.profile)
                rows.append(outcome.row())
    floors = {
        (r["sockets"], r["rate"]): r["cpu_us_per_delivery"] for r in rows if r["server"] == "floor"
    }
    head = (
        f"{'server':<16} {'N':>5} {'R':>4} {'delivered':>9} {'deliv/s':>8} {'p50':>7} "
        f"{'p95':>7} {'p99':>7} {'us/deliv':>9} {'x floor':>8} {'commit p50':>10} {'p99':>7}"
    )
    print(head)
    for r in rows:
        floor = floors.get((r["sockets"], r["rate"]))
        ratio = (
            round(float(r["cpu_us_per_delivery"]) / float(floor), 1)  # type: ignore[arg-type]
            if floor and r["cpu_us_per_delivery"]
            else None
        )
        r["x_floor"] = ratio
        print(
            f"{r['server']:<16} {r['sockets']:>5} {r['rate']:>4} {r['delivered_ratio']:>9} "
            f"{r['deliveries_per_s']:>8} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['p99_ms']:>7} "
            f"{r['cpu_us_per_delivery']!s:>9} {ratio!s:>8} {r['p50_commit_ms']:>10} "
            f"{r['p99_commit_ms']:>7}  action p50 {r['action_p50_ms']} p99 {r['action_p99_ms']}"
        )
    if opts.profile is None:  # a profiled server is slower: not a result
        record = {"quick": opts.quick, "seconds": seconds, "rows": rows}
        append_result("fanout.jsonl", "fanout", record)
    # The headline is the production server (uvicorn, docs/operations.md), else Daphne.
    head_row = next((r for r in rows if r["server"] == "uvicorn"), None) or next(
        (r for r in rows if r["server"] == "daphne"), None
    )
    if head_row is None:
        return
    print(
        f"headline: {head_row['server']} {head_row['sockets']}x{head_row['rate']}/s delivered "
        f"{head_row['delivered_ratio']}, p99 {head_row['p99_ms']} ms, "
        f"{head_row['x_floor']}x the floor's CPU per delivery"
    )


if __name__ == "__main__":
    main()
