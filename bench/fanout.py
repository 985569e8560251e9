"""Real-time fan-out: N authenticated agent sockets on one team, events at rate R.

    .venv/bin/python bench/fanout.py            # (100,20) (100,50) (1000,5), all servers
    .venv/bin/python bench/fanout.py --quick    # (100,20) only, <= 60 s

Events are produced by the real action (an internal note, helpdesk.actions
.messages.do_add_note) in another process at rate R; they travel through
PostgreSQL, Redis and the production server to N sockets of the real inbox
consumer (/ws/agent/, session-authenticated). Reported per server: delivered
ratio, deliveries per second, publish-to-receipt latency p50/p95/p99 and the
server's CPU microseconds per delivery, next to the floor: a bare `websockets`
server broadcasting the same frames with websockets.broadcast().
Loopback only; every phase is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
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

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "hd_bench_fanout"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/14"
CLK_TCK = os.sysconf("SC_CLK_TCK")


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

    def row(self) -> dict[str, object]:
        lat = sorted(self.latencies_ms) or [float("nan")]

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2)

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
            "cpu_us_per_delivery": round(1e6 * self.cpu_seconds / self.delivered, 1)
            if self.delivered
            else None,
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def django_env(tmp: Path, layer: str = "pubsub") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=PG_URL,
        REDIS_URL=REDIS_URL,
        CHANNEL_LAYER_PREFIX="benchfan",
        CHANNEL_LAYER_BACKEND=layer,
        HELPDESK_VAR_DIR=str(tmp),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="helpdesk.settings",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


SETUP = """
import json, sys
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from agents.models import Agent
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

PUBLISH = """
import sys, time
from django.contrib.auth import get_user_model
from helpdesk.actions.messages import do_add_note
from helpdesk.publisher import flush
ticket, admin = int(sys.argv[1]), int(sys.argv[2])
rate, seconds = float(sys.argv[3]), float(sys.argv[4])
actor = get_user_model().objects.get(pk=admin)
count = int(rate * seconds)
start = time.perf_counter()
for i in range(count):
    target = start + i / rate
    delay = target - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
    do_add_note(actor, ticket, repr(time.time()))
flush(10)
print(count)
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
            "helpdesk.asgi:application",
        ]
    elif kind.startswith("uvicorn"):
        cmd = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log",
               "helpdesk.asgi:application"]  # fmt: skip
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


async def run_clients(
    port: int, keys: list[str], path: str, expected_events: int, window: float
) -> tuple[int, list[float], float]:
    import websockets

    latencies: list[float] = []
    delivered = 0
    first = last = 0.0
    ready = asyncio.Event()
    connected = 0

    handshakes = asyncio.Semaphore(50)

    async def one(key: str) -> None:
        nonlocal delivered, first, last, connected
        headers = {"Cookie": f"sessionid={key}", "Origin": f"http://127.0.0.1:{port}"}
        # A few handshakes at a time: a thousand at once overflow the listen backlog.
        async with handshakes:
            ws = await websockets.connect(
                f"ws://127.0.0.1:{port}{path}", additional_headers=headers, max_queue=None
            )
        async with ws:
            connected += 1
            if connected == len(keys):
                ready.set()
            seen = 0
            while seen < expected_events:
                frame = json.loads(await ws.recv())
                event = frame.get("event") or {}
                if frame.get("kind") != "event" or "excerpt" not in event.get("data", {}):
                    continue
                now = time.time()
                sent = float(event["data"]["excerpt"])
                latencies.append((now - sent) * 1000)
                delivered += 1
                seen += 1
                first = first or now
                last = now

    tasks = [asyncio.create_task(one(k)) for k in keys]
    await asyncio.wait_for(ready.wait(), timeout=120)
    print(f"  {len(keys)} sockets connected", flush=True)
    _done, pending = await asyncio.wait(tasks, timeout=window)
    for t in pending:
        t.cancel()
    return delivered, latencies, max(last - first, 1e-9)


def measure(kind: str, sockets: int, rate: int, seconds: float, tmp: Path) -> Outcome:
    layer = "core" if "core" in kind else "pubsub"
    env = django_env(tmp, layer)
    events = int(rate * seconds)
    outcome = Outcome(kind, sockets, rate, events, expected=events * sockets)
    info = prepare_database(env, sockets) if kind != "floor" else {"keys": ["-"] * sockets}
    port = free_port()
    server = start_server(kind, port, env, rate, seconds)
    try:
        keys = [str(k) for k in info["keys"]]  # type: ignore[attr-defined]
        path = "/" if kind == "floor" else "/ws/agent/"

        async def scenario() -> tuple[int, list[float], float, float]:
            clients = asyncio.create_task(run_clients(port, keys, path, events, seconds + 30))
            await asyncio.sleep(2)  # let every socket connect and join its groups
            cpu0 = cpu_seconds(server.pid)
            if kind == "floor":
                os.kill(server.pid, signal.SIGUSR1)  # the floor server starts broadcasting
            else:
                await asyncio.to_thread(
                    manage_shell, PUBLISH, env, str(info["ticket"]), str(info["admin"]),
                    str(rate), str(seconds),
                )  # fmt: skip
            delivered, lat, span = await clients
            return delivered, lat, span, cpu_seconds(server.pid) - cpu0

        delivered, lat, span, cpu = asyncio.run(scenario())
        outcome.delivered, outcome.latencies_ms, outcome.seconds = delivered, lat, span
        outcome.cpu_seconds = cpu
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
    parser.add_argument("--servers", default="floor,daphne,daphne-core,uvicorn")
    opts = parser.parse_args()
    raise_fd_limit()
    configs = [(100, 20)] if opts.quick else [(100, 20), (100, 50), (1000, 5)]
    seconds = 4.0 if opts.quick else 10.0
    servers = ["floor", "daphne"] if opts.quick else opts.servers.split(",")
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="hd-fanout-") as tmp:
        for sockets, rate in configs:
            for kind in servers:
                print(f"{kind}: {sockets} sockets, {rate} events/s", flush=True)
                rows.append(measure(kind, sockets, rate, seconds, Path(tmp)).row())
    floors = {
        (r["sockets"], r["rate"]): r["cpu_us_per_delivery"] for r in rows if r["server"] == "floor"
    }
    head = (
        f"{'server':<12} {'N':>5} {'R':>4} {'delivered':>9} {'deliv/s':>8} {'p50':>7} "
        f"{'p95':>7} {'p99':>7} {'us/deliv':>9} {'x floor':>8}"
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
            f"{r['server']:<12} {r['sockets']:>5} {r['rate']:>4} {r['delivered_ratio']:>9} "
            f"{r['deliveries_per_s']:>8} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['p99_ms']:>7} "
            f"{r['cpu_us_per_delivery']!s:>9} {ratio!s:>8}"
        )
    append_result("fanout.jsonl", "fanout", {"quick": opts.quick, "rows": rows})
    daphne = next(r for r in rows if r["server"] == "daphne")
    print(
        f"headline: daphne {daphne['sockets']}x{daphne['rate']}/s delivered "
        f"{daphne['delivered_ratio']}, p99 {daphne['p99_ms']} ms, "
        f"{daphne['x_floor']}x the floor's CPU per delivery"
    )


if __name__ == "__main__":
    main()
