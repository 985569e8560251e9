"""A redis-server of the test's own on a spare loopback port, to stop and start at will.

Outage tests stop it; the shared Redis (REDIS_URL) is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from tests.net import free_port

START_TIMEOUT = 10.0


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or start again, on the same port, empty) and wait until it answers."""
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server on port {self.port} did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A running redis-server of this test's own (skipped without the binary)."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def outage_layer(redis_server: RedisServer, settings: Any) -> RedisServer:
    """The desk's fanout layer on the test's own redis-server."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "helpdesk.fanout.FanoutPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_server.url], "prefix": "outage-test"},
        }
    }
    return redis_server
