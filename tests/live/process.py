"""The desk in a subprocess: Daphne's runserver (HTTP, WebSockets, static files).

It serves the test database and shares the Redis layer with the test process, so
events the test publishes reach the server's sockets; it can be stopped and
started again on the same port, like a deploy.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.live.base import PYTHON, ROOT, stop_process_group
from tests.net import free_port

START_TIMEOUT = 60.0


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
        )  # DJANGO_SETTINGS_MODULE: the test process's own, inherited
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
                ],
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
        if self.process is not None:
            stop_process_group(self.process, timeout=15)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-5000:]
