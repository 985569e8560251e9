from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from channels_in.telegram.models import Mode, TelegramConfig
from tests.channels_in.telegram.fake_bot_api import FakeBotApi, running_fake_api
from tests.factories import run_queued_tasks

FIXTURES = Path(__file__).parent / "fixtures"
# The shape of a real token (Telegram's documentation example); it only exists here.
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def load_update(name: str, **message_changes: Any) -> dict[str, Any]:
    """A captured update from fixtures/, with fields of its message replaced."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    for key in ("message", "edited_message"):
        if key in data:
            data[key].update(message_changes)
    return data


@pytest.fixture
def fake_api(settings: Any) -> Iterator[FakeBotApi]:
    with running_fake_api(TOKEN) as api:
        settings.TELEGRAM_API_URL = api.url
        yield api


@pytest.fixture
def bot_config(telegram_inbox_a: Any, fake_api: FakeBotApi) -> TelegramConfig:
    return TelegramConfig.objects.create(
        inbox=telegram_inbox_a,
        bot_token=TOKEN,
        bot_username="desk_support_bot",
        bot_name="Desk Support",
        mode=Mode.WEBHOOK,
        welcome_message="Welcome! خوش آمدید",
    )


def run_tasks() -> None:
    """Run every queued task with the real database worker, then return."""
    run_queued_tasks("telegram-tests")


class _LiveDesk:
    """Daphne serving helpdesk.asgi in a thread of the test process (one per session:
    Twisted's reactor cannot be restarted)."""

    def __init__(self) -> None:
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        from helpdesk.asgi import application

        self.ready = threading.Event()
        self.server = Server(
            application=application,
            endpoints=build_endpoint_description_strings(host="127.0.0.1", port=0),
            signal_handlers=False,
            ready_callable=lambda: None,
        )
        self.thread = threading.Thread(target=self.server.run, name="daphne", daemon=True)

    def start(self) -> str:
        from twisted.internet import reactor

        self.thread.start()
        for _ in range(200):
            if self.server.listening_addresses:
                host, port = self.server.listening_addresses[0]
                return f"http://{host}:{port}"
            threading.Event().wait(0.05)
        reactor.callFromThread(reactor.stop)  # type: ignore[attr-defined,misc]
        raise RuntimeError("Daphne did not start listening")


@pytest.fixture(scope="session")
def _daphne_url() -> Iterator[str]:
    from asgiref.sync import SyncToAsync
    from django.db import connections

    yield _LiveDesk().start()
    # The server's sync views ran on asgiref's single thread: close its database
    # connections there, or the test database cannot be dropped.
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


@pytest.fixture
def live_url(_daphne_url: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    from django.db import connections

    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    # Django serves each ASGI request from a fresh thread: let every such thread
    # close its connection when the request ends, so none outlives the test.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    return _daphne_url


@pytest.fixture
def post_update(live_url: str, bot_config: TelegramConfig) -> Callable[..., httpx.Response]:
    """POST an update to the running desk's webhook like Telegram does."""

    def _post(body: Any, *, secret: str | None = None, raw: bytes | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        token = bot_config.webhook_secret if secret is None else secret
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        url = f"{live_url}/channels/telegram/{bot_config.inbox_id}/webhook/"
        content = raw if raw is not None else json.dumps(body).encode()
        return httpx.post(url, content=content, headers=headers, timeout=30)

    return _post
