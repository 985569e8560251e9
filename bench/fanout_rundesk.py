"""Real-time fan-out with the run command's server (`manage.py rundesk`, what `make run` serves).

    .venv/bin/python bench/fanout_rundesk.py            # (100,20) (100,50) (1000,5) + floor
    .venv/bin/python bench/fanout_rundesk.py --quick    # (100,20), 4 s; <= 60 s
    .venv/bin/python bench/fanout_rundesk.py --root /tmp/old-tree   # another checkout's server

The desk runs as `make run` runs it: one process, the embedded defaults (a fresh
SQLite file, the in-process channel layer, the task worker and listeners in
threads, DEBUG on). The in-process layer reaches no other process, so events are
produced where an agent produces them: an internal note POSTed to the desk's JSON
API (`/api/v1/tickets/<id>/notes`, bearer token) at rate R by another process; the
note's text is the time the request started. N agent sockets of the real inbox
consumer (session cookies) receive every `message.created` frame.

Reported per configuration: delivered ratio, latency p50/p95/p99 from the request's
start to receipt (the whole path: HTTP, the action, SQLite's commit, the fan-out),
and CPU per delivery up to the last receipt, three ways: the whole process (it
also ran each API request and its action, which production runs in another
process); the server's event-loop thread alone (HTTP and frame writing; Django
runs the view and the action on its sync thread); and that loop CPU less the
loop's cost of the note requests themselves, measured first with no socket open
(40 requests at rate R): the fan-out's share, compared with the floor, which is
bench/fanout.py's bare `websockets.broadcast()` server with the same clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import append_result
from _fanout_client import run_clients
from _procs import CLK_TCK, cpu_seconds, free_port, raise_fd_limit
from fanout import SETUP, Outcome, measure

ROOT = Path(__file__).resolve().parent.parent

# Sequential requests at rate R: a late request starts late (its own start time is
# what it carries), so a server that cannot keep up shows in latency and in rate.
PUBLISH = """
import json, sys, time, httpx
url, token = sys.argv[1], sys.argv[2]
rate, seconds = float(sys.argv[3]), float(sys.argv[4])
with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
    client.post(url, json={"text": "warm-up"}).raise_for_status()
    count = int(rate * seconds)
    start = time.perf_counter()
    committed = {}
    for i in range(count):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent = repr(time.time())
        client.post(url, json={"text": sent}).raise_for_status()
        committed[sent] = time.time()
print(json.dumps(committed))
"""


def thread_cpu_seconds(pid: int) -> float:
    """User + system CPU of the process's main thread (the server's event loop)."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def embedded_env(tmp: Path, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp}/desk.sqlite3",
        HELPDESK_VAR_DIR=str(tmp),
        DEBUG="1",  # as scripts/run.sh serves it
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(root),
        HELPDESK_MAIL_SINK_PORT=str(free_port()),
        # The bench's one token posts up to 50 notes a second.
    )
    env.update({f"HELPDESK_API_RATE_PER_{who}": "100000/m" for who in ("TOKEN", "IP")})
    return env


def prepare(env: dict[str, str], root: Path, sockets: int) -> tuple[dict[str, object], str]:
    (Path(env["HELPDESK_VAR_DIR"]) / "secret_key.txt").write_text("bench-" + "k" * 50)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=root, check=True, timeout=600)
    script = "import django; django.setup()\n" + SETUP
    setup = subprocess.run(
        [sys.executable, "-c", script, str(sockets)],
        env=env,
        cwd=root,  # that checkout's code, not this one's
        check=True,
        capture_output=True,
        timeout=600,
    )
    info = dict(json.loads(setup.stdout.decode().strip().splitlines()[-1]))
    token = subprocess.run(
        [*manage, "create_api_token", "bench-admin", "-v0"],
        env=env,
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()
    return info, token


def start_rundesk(root: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "manage.py", "rundesk", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(  # noqa: S603
        cmd, env=env, cwd=root, stdout=subprocess.DEVNULL, preexec_fn=raise_fd_limit
    )
    import httpx

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login/", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"rundesk did not start on port {port}")


def measure_rundesk(root: Path, sockets: int, rate: int, seconds: float) -> dict[str, object]:
    events = int(rate * seconds)
    outcome = Outcome("rundesk", sockets, rate, events, expected=events * sockets)
    with tempfile.TemporaryDirectory(prefix="hd-fanout-rundesk-") as tmp:
        env = embedded_env(Path(tmp), root)
        info, token = prepare(env, root, sockets)
        port = free_port()
        server = start_rundesk(root, env, port)
        cpu = [0.0, 0.0, 0.0, 0.0]  # process and loop thread, at the start and the end
        try:
            url = f"http://127.0.0.1:{port}/api/v1/tickets/{info['ticket']}/notes"
            request_loop_s = calibrate(server.pid, url, token, rate)

            def snapshot() -> None:
                cpu[1], cpu[3] = cpu_seconds(server.pid), thread_cpu_seconds(server.pid)

            async def scenario() -> tuple[int, list[tuple[float, str]], float, str]:
                ready = asyncio.Event()
                keys = [str(k) for k in info["keys"]]  # type: ignore[attr-defined]
                clients = asyncio.create_task(
                    run_clients(port, keys, "/ws/agent/", events, seconds + 30, ready, snapshot)
                )
                await asyncio.wait_for(ready.wait(), timeout=120)
                await asyncio.sleep(1)
                cpu[0], cpu[2] = cpu_seconds(server.pid), thread_cpu_seconds(server.pid)
                args = [url, token, str(rate), str(seconds)]
                out = await asyncio.to_thread(
                    subprocess.run,
                    [sys.executable, "-c", PUBLISH, *args],
                    check=True,
                    capture_output=True,
                    timeout=seconds * 10 + 60,
                )
                delivered, samples, span = await clients
                return delivered, samples, span, out.stdout.decode().strip().splitlines()[-1]

            delivered, samples, span, out = asyncio.run(scenario())
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    committed: dict[str, float] = json.loads(out)
    outcome.delivered, outcome.seconds, outcome.cpu_seconds = delivered, span, cpu[1] - cpu[0]
    outcome.latencies_ms = [(now - float(sent)) * 1000 for now, sent in samples]
    outcome.committed_ms = [
        (now - committed.get(sent, float(sent))) * 1000 for now, sent in samples
    ]
    outcome.action_ms = [(done - float(sent)) * 1000 for sent, done in committed.items()]
    row = outcome.row()
    loop_cpu = cpu[3] - cpu[2]
    row["loop_cpu_us_per_delivery"] = round(1e6 * loop_cpu / delivered, 1) if delivered else None
    # The loop's share of the API requests that carried the events (1 warm-up + events).
    fanout_cpu = max(loop_cpu - request_loop_s * (events + 1), 0.0)
    row["request_loop_us"] = round(1e6 * request_loop_s, 1)
    row["fanout_loop_us_per_delivery"] = (
        round(1e6 * fanout_cpu / delivered, 1) if delivered else None
    )
    return row


def calibrate(pid: int, url: str, token: str, rate: int, count: int = 40) -> float:
    """Loop-thread CPU seconds of one note request with no socket open (no fan-out)."""
    before = thread_cpu_seconds(pid)
    subprocess.run(
        [sys.executable, "-c", PUBLISH, url, token, str(rate), str(count / rate)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return (thread_cpu_seconds(pid) - before) / (count + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--configs", default="100x20,100x50,1000x5", help="NxR,...")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose desk runs")
    parser.add_argument("--no-floor", action="store_true")
    opts = parser.parse_args()
    raise_fd_limit()
    configs = [(int(n), int(r)) for n, r in (c.split("x") for c in opts.configs.split(",") if c)]
    seconds = 4.0 if opts.quick else opts.seconds
    if opts.quick:
        configs = [(100, 20)]
    rows: list[dict[str, object]] = []
    for sockets, rate in configs:
        if not opts.no_floor:
            print(f"floor: {sockets} sockets, {rate} events/s", flush=True)
            with tempfile.TemporaryDirectory(prefix="hd-floor-") as tmp:
                rows.append(measure("floor", sockets, rate, seconds, Path(tmp)).row())
        print(f"rundesk ({opts.root}): {sockets} sockets, {rate} events/s", flush=True)
        rows.append(measure_rundesk(opts.root.resolve(), sockets, rate, seconds))
    report(rows, opts.quick, seconds, str(opts.root))


def report(rows: list[dict[str, object]], quick: bool, seconds: float, root: str) -> None:
    floors = {
        (r["sockets"], r["rate"]): r["cpu_us_per_delivery"] for r in rows if r["server"] == "floor"
    }
    print(
        f"{'server':<8} {'N':>5} {'R':>4} {'delivered':>9} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'us/deliv':>9} {'loop us':>8} {'fan-out us':>10} {'x floor':>8}"
    )
    for r in rows:
        floor = floors.get((r["sockets"], r["rate"]))
        fan = r.get("fanout_loop_us_per_delivery", r["cpu_us_per_delivery"])
        loop = r.get("loop_cpu_us_per_delivery", r["cpu_us_per_delivery"])
        ratio = round(float(fan) / float(floor), 1) if floor and fan else None  # type: ignore[arg-type]
        r["x_floor_fanout"] = ratio
        print(
            f"{r['server']:<8} {r['sockets']:>5} {r['rate']:>4} {r['delivered_ratio']:>9} "
            f"{r['p50_ms']:>7} {r['p95_ms']:>7} {r['p99_ms']:>7} {r['cpu_us_per_delivery']!s:>9} "
            f"{loop!s:>8} {fan!s:>10} {ratio!s:>8}  request p50 {r['action_p50_ms']} "
            f"p99 {r['action_p99_ms']}, its loop CPU {r.get('request_loop_us')} us"
        )
    append_result(
        "fanout.jsonl",
        "fanout_rundesk",
        {"quick": quick, "seconds": seconds, "root": root, "rows": rows},
    )
    head = next((r for r in rows if r["server"] == "rundesk"), None)
    if head is not None:
        print(
            f"headline: rundesk {head['sockets']}x{head['rate']}/s "
            f"delivered {head['delivered_ratio']}, "
            f"p99 {head['p99_ms']} ms, {head['x_floor_fanout']}x the floor's CPU "
            "(the loop thread's, less its share of the requests)"
        )


if __name__ == "__main__":
    main()
