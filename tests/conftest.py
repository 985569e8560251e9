"""Shared fixtures, and the rule that keeps database-specific tests honest.

Tests marked `postgres` (real concurrent connections, advisory locks) are
deselected, not skipped, when the suite runs on SQLite; tests marked `redis` are
deselected without the Redis channel layer. Under CI both services are required
(scripts/test.sh), so there they always run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from helpdesk import channels
from helpdesk.models import Role
from tests import factories
from tests.channels_in.email.servers import SmtpRecorder, start_smtp
from tests.demo_desk import demo_desk
from tests.live import MARKER, _run_command_desk, _thread_desk_of_session, browser, live_desk

__all__ = [
    "_run_command_desk",
    "_thread_desk_of_session",
    "browser",
    "demo_desk",
    "live_desk",
]  # fixtures


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    # The SQLite test database lives beside the desk's (var/ by default), which a clean
    # clone does not have yet; importing settings never creates it.
    database: dict[str, Any] = settings.DATABASES["default"]
    if str(database["ENGINE"]).endswith("sqlite3"):
        Path(database["TEST"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_automation_cache() -> Iterator[None]:
    # Rules and settings are cached per process; a test's rolled-back rows send
    # no signals, so each test starts (and ends) with an empty cache.
    from helpdesk.automation import config_cache

    config_cache.clear()
    yield
    config_cache.clear()


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpRecorder, int]]:
    """A real SMTP server on loopback that records what it receives, and its port."""
    controller, recorder, port = start_smtp()
    yield recorder, port
    controller.stop()


@pytest.fixture
def team_a(db: None) -> Any:
    return factories.make_team("Team A")


@pytest.fixture
def team_b(db: None) -> Any:
    return factories.make_team("Team B")


@pytest.fixture
def admin_user(db: None) -> Any:
    return factories.make_user("admin", role=Role.ADMIN)


@pytest.fixture
def agent_a(team_a: Any) -> Any:
    """An agent in team A."""
    return factories.make_user("alice", teams=[team_a])


@pytest.fixture
def agent_a2(team_a: Any) -> Any:
    """A second agent in team A."""
    return factories.make_user("arash", teams=[team_a])


@pytest.fixture
def supervisor_a(team_a: Any) -> Any:
    return factories.make_user("sara", role=Role.SUPERVISOR, teams=[team_a])


@pytest.fixture
def agent_b(team_b: Any) -> Any:
    """An agent in team B, with no access to team A."""
    return factories.make_user("bob", teams=[team_b])


@pytest.fixture
def email_inbox_a(team_a: Any) -> Any:
    return factories.make_inbox(team_a, "email")


@pytest.fixture
def telegram_inbox_a(team_a: Any) -> Any:
    return factories.make_inbox(team_a, "telegram")


@pytest.fixture
def email_inbox_b(team_b: Any) -> Any:
    return factories.make_inbox(team_b, "email")


@pytest.fixture
def api(db: None) -> Any:
    """A JSON API client for a user: api(user).get('/api/v1/tickets')."""

    class _Api:
        def __init__(self, user: Any) -> None:
            self.client = Client(HTTP_AUTHORIZATION=f"Bearer {factories.make_token(user)}")

        def get(self, path: str, **params: Any) -> Any:
            return self.client.get(path, params)

        def post(self, path: str, body: Any = None) -> Any:
            return self.client.post(path, body, content_type="application/json")

        def patch(self, path: str, body: Any = None) -> Any:
            return self.client.patch(path, body, content_type="application/json")

    return _Api


@pytest.fixture
def sender_override() -> Iterator[Any]:
    """Replace a channel's sender at the network edge for one test."""
    kinds: list[str] = []

    def _register(kind: str, sender: Any) -> None:
        kinds.append(kind)
        channels.register_sender(kind, sender)

    yield _register
    for kind in kinds:
        channels.unregister_sender(kind)


def _redis_layer() -> bool:
    backend = str(settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", ""))
    return backend.startswith(("channels_redis.", "helpdesk.fanout."))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unavailable = set()
    if connection.vendor != "postgresql":
        unavailable.add("postgres")
    if not _redis_layer():
        unavailable.add("redis")
    if not unavailable:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        marks = {mark.name for mark in item.iter_markers()}
        (dropped if marks & unavailable else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
