from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from channels_in.telegram.models import Mode, TelegramConfig
from tests.channels_in.telegram.fake_bot_api import FakeBotApi, running_fake_api
from tests.factories import run_queued_tasks
from tests.live import ThreadDesk

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


@pytest.fixture
def post_update(live_desk: ThreadDesk, bot_config: TelegramConfig) -> Callable[..., httpx.Response]:
    """POST an update to the running desk's webhook like Telegram does."""

    def _post(body: Any, *, secret: str | None = None, raw: bytes | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        token = bot_config.webhook_secret if secret is None else secret
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        url = f"{live_desk.url}/channels/telegram/{bot_config.inbox_id}/webhook/"
        content = raw if raw is not None else json.dumps(body).encode()
        return httpx.post(url, content=content, headers=headers, timeout=30)

    return _post
