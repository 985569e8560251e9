"""The desk's production processes, started as docs/operations.md says, to SIGKILL.

Each runs in its own session (process group) on the PostgreSQL test database
and the suite's own redis-server; `kill()` is SIGKILL of the whole group (no
handler, no cleanup runs), `start()` starts it again with the same command.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.live.base import PYTHON, ROOT, stop_process_group
from tests.net import free_port

START_TIMEOUT = 30.0


def desk_env(database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    """The environment of a production process, on the test's database and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CHANNEL_LAYER_PREFIX=prefix,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # A delivery that failed on a terminated connection is retried after 1 s,
        # not the production 30 s, so the suite does not wait for it.
        HELPDESK_DELIVERY_BACKOFF_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )  # DJANGO_SETTINGS_MODULE (tests.settings) and SECRET_KEY: the test process's own
    return env


@dataclass
class DeskProcess:
    command: list[str]
    env: dict[str, str]
    log: Path
    ready: Callable[[DeskProcess], bool] = lambda _process: True
    process: subprocess.Popen[bytes] | None = None
    started_at_byte: int = 0

    def start(self) -> None:
        """Start (or start again) and wait until `ready` says it serves."""
        self.started_at_byte = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own fixed command line
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"{self.command[1]} exited:\n{self.output()}")
            if self.ready(self):
                return
            time.sleep(0.1)
        raise AssertionError(f"{self.command[1]} did not get ready:\n{self.output()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, like the OOM killer or a pulled plug: nothing of the process runs after."""
        assert self.process is not None and self.alive()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process, timeout=10)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-5000:]

    def output_of_this_run(self) -> str:
        with self.log.open("rb") as log:
            log.seek(self.started_at_byte)
            return log.read().decode(errors="replace")


@dataclass
class WebProcess(DeskProcess):
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def web_process(env: dict[str, str], log: Path) -> WebProcess:
    """uvicorn on config.asgi, with the production flags of docs/operations.md."""
    web = WebProcess(command=[], env=env, log=log, ready=_answers)
    web.command = [
        str(PYTHON.parent / "uvicorn"),
        "--lifespan",
        "off",
        "--ws-per-message-deflate",
        "false",
        "--no-access-log",
        "--host",
        "127.0.0.1",
        "--port",
        str(web.port),
        "config.asgi:application",
    ]
    return web


def _answers(process: DeskProcess) -> bool:
    assert isinstance(process, WebProcess)
    try:
        return httpx.get(process.url + "/login/", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def worker_process(env: dict[str, str], log: Path) -> DeskProcess:
    """The task worker as production runs it (`db_worker --queue-name '*'`), polling fast."""
    command = [str(PYTHON), "manage.py", "db_worker", "--queue-name", "*"]
    command += ["--interval", "0.1", "--no-startup-delay", "--no-reload", "--skip-checks"]
    return DeskProcess(command=command, env=env, log=log, ready=_polls)


def _polls(process: DeskProcess) -> bool:
    return "Starting worker" in process.output_of_this_run()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` every 50 ms, for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)
