"""The desk served for real, for live and browser tests: one fixture, `live_desk`.

Which server a test gets is chosen with `@pytest.mark.live_desk(kind)`:

- "thread" (the default): Daphne in a thread of the test process (`ThreadDesk`).
  It runs the test's settings on the test database, SQLite included; session-wide.
- "process": Daphne's runserver in a subprocess (`DeskServer`), on the PostgreSQL
  test database and sharing the Redis layer, so events the test publishes cross
  processes; `stop()` and `start()` restart it. Skipped without PostgreSQL + Redis.
- "run": the README's run command, `scripts/run.sh`, on a fresh SQLite file
  (`RunCommandDesk`); one per test module, since it bootstraps and migrates.

Every kind has `.url`, the base URL without a trailing slash.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from tests.live.base import ROOT, server_database_url
from tests.live.inprocess import ThreadDesk, start_thread_desk
from tests.live.process import DeskServer
from tests.live.run_command import RunCommandDesk, running_command_desk

__all__ = ["ROOT", "DeskServer", "RunCommandDesk", "ThreadDesk", "browser", "live_desk"]

KINDS = ("thread", "process", "run")
MARKER = "live_desk(kind): which server the live_desk fixture starts: " + ", ".join(KINDS)


@pytest.fixture
def live_desk(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The desk over real HTTP and WebSockets, of the kind the test's marker names."""
    marker = request.node.get_closest_marker("live_desk")
    kind = marker.args[0] if marker else "thread"
    if kind == "thread":
        yield _thread_desk(request)
    elif kind == "process":
        yield from _process_desk(request)
    elif kind == "run":
        yield request.getfixturevalue("_run_command_desk")
    else:
        raise ValueError(f"live_desk kind {kind!r} is not one of {KINDS}")


def _thread_desk(request: pytest.FixtureRequest) -> ThreadDesk:
    desk: ThreadDesk = request.getfixturevalue("_thread_desk_of_session")
    request.getfixturevalue("settings").ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    # Django serves each ASGI request from a fresh thread: let every such thread
    # close its connection when the request ends, so none outlives the test.
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    return desk


def _process_desk(request: pytest.FixtureRequest) -> Iterator[DeskServer]:
    request.getfixturevalue("transactional_db")
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("the server runs in another process: needs PostgreSQL and the Redis layer")
    tmp_path: Path = request.getfixturevalue("tmp_path")
    media_root = Path(request.getfixturevalue("settings").MEDIA_ROOT)
    desk = DeskServer(server_database_url(), media_root=media_root, log=tmp_path / "server.log")
    desk.start()
    try:
        yield desk
    finally:
        desk.stop()


@pytest.fixture(scope="session")
def _thread_desk_of_session() -> Iterator[ThreadDesk]:
    from asgiref.sync import SyncToAsync

    yield start_thread_desk()
    # The server's sync views ran on asgiref's single thread: close its database
    # connections there, or the test database cannot be dropped.
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


@pytest.fixture(scope="module")
def _run_command_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunCommandDesk]:
    with running_command_desk(Path(tmp_path_factory.mktemp("rundesk"))) as desk:
        yield desk


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Debian Chromium (tests/chromium.py), closed after the test."""
    from playwright.sync_api import sync_playwright

    from tests import chromium

    with sync_playwright() as p:
        launched = chromium.launch(p)
        yield launched
        # While Playwright's loop runs, Django keeps connections per context, so
        # the ORM opened one of its own here: close it (a plain blocking call
        # beside that loop), or the test database cannot be dropped at the end.
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        connection.close()
        launched.close()
