"""Starts the README's run command (`scripts/run.sh`) for real, for smoke and browser tests.

The desk runs in its own process group on a free loopback port with the embedded
defaults (a fresh SQLite file, the in-process channel layer), exactly as
`make run` serves it, and is stopped with SIGTERM like Ctrl+C would.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.live.base import PYTHON, ROOT, stop_process_group
from tests.net import free_port

START_TIMEOUT = 240.0  # bootstrap + migrations on a slow shared machine


def embedded_env(var_dir: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CHANNEL_LAYER_PREFIX", "SECRET_KEY"}
        and not key.startswith("PYTEST")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{var_dir}/desk.sqlite3",
        HELPDESK_VAR_DIR=str(var_dir),
        HOST="127.0.0.1",
        PORT=str(port),
        # Its own demo mail sink: another desk (make run, a parallel test) may hold 8025.
        HELPDESK_MAIL_SINK_PORT=str(free_port()),
        PYTHONUNBUFFERED="1",
        # asyncio's debug mode raises when another thread touches the server's loop
        # unsafely, so a publish that bypasses set_server_loop fails loudly here.
        PYTHONASYNCIODEBUG="1",
    )
    env.pop("DEBUG", None)  # scripts/run.sh turns it on itself
    return env


@dataclass
class RunCommandDesk:
    url: str
    var_dir: Path
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def password(self) -> str:
        return (self.var_dir / "demo-password.txt").read_text(encoding="utf-8").strip()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run manage.py in another process against the same database."""
        return subprocess.run(  # noqa: S603
            [str(PYTHON), "manage.py", *args],
            cwd=ROOT,
            env={**self.env, "DEBUG": "1"},
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )

    def counts(self, *tables: str) -> dict[str, int]:
        db = sqlite3.connect(f"file:{self.var_dir}/desk.sqlite3?mode=ro", uri=True)
        try:
            return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608
        finally:
            db.close()

    def login(self, client: httpx.Client, username: str = "admin") -> str:
        """Log in through the login form (with its CSRF token); return the session id."""
        page = client.get("/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert match, page.text[:500]
        response = client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": match.group(1),
                "username": username,
                "password": self.password,
            },
        )
        assert response.status_code == 302, response.text[:500]
        return str(client.cookies["sessionid"])


def _wait_until_ready(desk: RunCommandDesk) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if desk.process.poll() is not None:
            raise AssertionError(f"the run command exited early:\n{desk.output()}")
        if "The desk is ready" in desk.output():
            try:
                if httpx.get(desk.url + "/login/", timeout=5).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    raise AssertionError(f"the desk did not answer within {START_TIMEOUT}s:\n{desk.output()}")


@contextmanager
def running_command_desk(var_dir: Path) -> Iterator[RunCommandDesk]:
    """`bash scripts/run.sh` on a fresh SQLite file; stopped (SIGTERM) on exit."""
    var_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = var_dir / "run.log"
    env = embedded_env(var_dir, port)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            ["bash", str(ROOT / "scripts" / "run.sh")],  # noqa: S607
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    desk = RunCommandDesk(f"http://127.0.0.1:{port}", var_dir, env, log, process)
    try:
        _wait_until_ready(desk)
        yield desk
    finally:
        stop_process_group(process, timeout=30)
        sys.stdout.write(f"\n--- run command output ({log}) ---\n{desk.output()[-4000:]}\n")
