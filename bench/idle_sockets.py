"""Idle widget sockets: memory per 1,000 and how many one server process holds.

    .venv/bin/python bench/idle_sockets.py            # up to 10,000 sockets
    .venv/bin/python bench/idle_sockets.py --quick    # up to 2,000, <= 60 s
    .venv/bin/python bench/idle_sockets.py --server rundesk [--root /tmp/old-tree]

Starts a server on loopback: `--server daphne` (the default) or `uvicorn` with
PostgreSQL and the Redis layer, as production runs them, or `rundesk`: the run
command (`make run`) with its embedded defaults (SQLite, the in-process layer, the
task worker and listeners in threads, DEBUG on). Then it opens live-chat widget sockets
(/ws/chat/<public key>/, each says hello and gets its visitor token, so it is
a real idle visitor in its chat group) in batches, reading the server's
resident memory after each batch. Stops at 10,000 sockets, at the first batch
that fails, or after the time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import append_result, recreate_database
from _procs import cpu_seconds, free_port, raise_fd_limit

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "hd_bench_idle"
TIME_LIMIT_S = 300.0
BATCH = 500
# The run command answers each widget's handshake and hello on Django's one sync
# thread (SQLite): 500 at once outlast the client's opening timeout on a busy machine.
RUNDESK_BATCH = 100

SETUP = """
from helpdesk.models import Team, Inbox
from channels_in.webchat.models import WebchatConfig
team = Team.objects.create(name="Idle")
inbox = Inbox.objects.create(kind="webchat", name="idle", team=team)
print(WebchatConfig.objects.get(inbox=inbox).public_key)
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def prepare(env: dict[str, str], root: Path) -> str:
    if "REDIS_URL" in env:
        recreate_database(DB_NAME)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=root, check=True)
    script = "import django; django.setup()\n" + SETUP
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=root, check=True, capture_output=True
    )
    return out.stdout.decode().strip().splitlines()[-1]


async def open_sockets(
    port: int, key: str, pid: int, limit: int, batch_size: int = BATCH
) -> list[dict[str, float]]:
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/chat/{key}/"
    origin = f"http://127.0.0.1:{port}"
    held: list[object] = []
    samples = [{"sockets": 0, "rss_mb": rss_mb(pid)}]
    deadline = time.monotonic() + TIME_LIMIT_S

    async def one() -> object:
        ws = await websockets.connect(url, origin=origin, max_queue=4, open_timeout=60)  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "hello", "language": "fa"}))
        while json.loads(await ws.recv()).get("type") != "ready":
            pass
        return ws

    while len(held) < limit and time.monotonic() < deadline:
        batch = min(batch_size, limit - len(held))
        try:
            opened = await asyncio.wait_for(
                asyncio.gather(*(one() for _ in range(batch))), timeout=120
            )
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
            print(f"  stopped at {len(held)} sockets: {exc!r}", flush=True)
            break
        held.extend(opened)
        await asyncio.sleep(1)  # let the server settle before reading its memory
        samples.append({"sockets": len(held), "rss_mb": rss_mb(pid)})
        print(f"  {len(held)} sockets, server RSS {samples[-1]['rss_mb']:.0f} MB", flush=True)
    closing = asyncio.gather(*(ws.close() for ws in held), return_exceptions=True)  # type: ignore[attr-defined]
    # A server past its limits may not answer the close handshakes.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(closing, timeout=30)
    return samples


def wait_for_port(port: int, timeout: float = 90.0) -> None:
    """Until the server accepts connections, then a moment for it to settle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"no server on port {port}")


def server_command(kind: str, port: int) -> list[str]:
    if kind == "rundesk":
        return [sys.executable, "manage.py", "rundesk", "--host", "127.0.0.1", "--port", str(port)]
    if kind == "uvicorn":  # as docs/operations.md runs it
        return [
            *(sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)),
            *("--no-access-log", "--ws-per-message-deflate", "false", "config.asgi:application"),
        ]
    return [
        *(sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)),
        *("--access-log", os.devnull, "config.asgi:application"),
    ]


def server_env(kind: str, tmp: str, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        HELPDESK_VAR_DIR=tmp,
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(root),
    )
    if kind == "rundesk":  # scripts/run.sh's embedded defaults
        env.update(
            DATABASE_URL=f"sqlite:///{tmp}/desk.sqlite3",
            DEBUG="1",
            HELPDESK_MAIL_SINK_PORT=str(free_port()),
        )
        (Path(tmp) / "secret_key.txt").write_text("bench-" + "k" * 50)
    else:
        env.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            REDIS_URL="redis://127.0.0.1:6379/13",
            CHANNEL_LAYER_PREFIX="benchidle",
        )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--server", choices=("daphne", "uvicorn", "rundesk"), default="daphne")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose desk runs")
    opts = parser.parse_args()
    limit = 2000 if opts.quick else 10_000
    root = opts.root.resolve()
    raise_fd_limit()
    with tempfile.TemporaryDirectory(prefix="hd-idle-") as tmp:
        env = server_env(opts.server, tmp, root)
        key = prepare(env, root)
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            server_command(opts.server, port),
            env=env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            preexec_fn=raise_fd_limit,  # noqa: PLW1509
        )
        try:
            wait_for_port(port)
            cpu0 = cpu_seconds(server.pid)
            batch = RUNDESK_BATCH if opts.server == "rundesk" else BATCH
            samples = asyncio.run(open_sockets(port, key, server.pid, limit, batch))
            cpu = cpu_seconds(server.pid) - cpu0
        finally:
            server.terminate()
            server.wait(timeout=20)
    base = samples[0]["rss_mb"]
    top = samples[-1]
    per_1000 = (top["rss_mb"] - base) / top["sockets"] * 1000 if top["sockets"] else 0.0
    print(f"{'sockets':>8} {'server RSS MB':>14} {'MB per 1,000':>13}")
    for s in samples:
        slope = (s["rss_mb"] - base) / s["sockets"] * 1000 if s["sockets"] else 0.0
        print(f"{int(s['sockets']):>8} {s['rss_mb']:>14.1f} {slope:>13.1f}")
    print(f"server CPU to open them: {cpu:.1f} s")
    append_result(
        "idle_sockets.jsonl",
        "idle_sockets",
        {
            "quick": opts.quick,
            "server": opts.server,
            "root": str(root),
            "samples": samples,
            "mb_per_1000": round(per_1000, 1),
            "max_sockets": top["sockets"],
        },
    )
    print(
        f"headline: {opts.server}: {per_1000:.1f} MB per 1,000 idle widget sockets; "
        f"{int(top['sockets'])} held by one process"
    )


if __name__ == "__main__":
    main()
