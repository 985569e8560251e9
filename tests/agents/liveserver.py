"""A real ASGI server (Daphne's runserver: HTTP, WebSockets, static files) in a subprocess.

pytest-django's `live_server` is WSGI only, so the browser tests start the desk
here on a free loopback port against the test database and the Redis layer, so
that events published by the test process reach the server's sockets.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class DeskServer:
    database_url: str
    media_root: Path
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(
            DATABASE_URL=self.database_url,
            DEBUG="1",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            MEDIA_ROOT=str(self.media_root),
            PYTHONUNBUFFERED="1",
            DJANGO_SETTINGS_MODULE="helpdesk.settings",
        )
        return env

    def start(self) -> None:
        """Start (or restart, on the same port) and wait until it answers."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    str(PYTHON),
                    "manage.py",
                    "runserver",
                    f"127.0.0.1:{self.port}",
                    "--noreload",
                    "--insecure",
                    "--skip-checks",
                ],  # fmt: skip
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.output()}")
            try:
                if httpx.get(self.url + "/login/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server did not answer:\n{self.output()}")

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-5000:]
