"""Bale tests: the shared loopback Bot API server at a Bale-style root, Bale-shaped updates."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from channels_in.bale.models import BaleConfig, Mode
from tests import factories
from tests.channels_in.telegram.fake_bot_api import FakeBotApi, running_fake_api

# Bale's tokens have the Bot API's shape (digits, a colon, a random part).
TOKEN = "1234567890:Ab3dEfGhIjKlMnOpQrStUvWxYz01234567"  # noqa: S105 - test-only
USER = 474747474
_ids = itertools.count(1)


def update(text: str | None = "سلام", *, message_id: int | None = None, **extra: Any) -> Any:
    """A Bale update of a private message (the Bot API's Update, as Bale sends it)."""
    mid = message_id if message_id is not None else 100 + next(_ids)
    message: dict[str, Any] = {
        "message_id": mid,
        "date": 1_764_700_000,
        "chat": {"id": USER, "type": "private", "first_name": "مریم"},
        "from": {"id": USER, "is_bot": False, "first_name": "مریم", "last_name": "احمدی"},
        **extra,
    }
    if text is not None:
        message["text"] = text
    return {"update_id": 900 + mid, "message": message}


@pytest.fixture
def fake_api(settings: Any) -> Iterator[FakeBotApi]:
    with running_fake_api(TOKEN) as api:
        settings.BALE_API_URL = api.url
        yield api


@pytest.fixture
def bale_config(team_a: Any, fake_api: FakeBotApi) -> BaleConfig:
    return BaleConfig.objects.create(
        inbox=factories.make_inbox(team_a, "bale"),
        bot_token=TOKEN,
        bot_username="desk_support_bot",
        mode=Mode.WEBHOOK,
        welcome_message="به پشتیبانی خوش آمدید",
    )


def run_tasks() -> None:
    factories.run_queued_tasks("bale-tests")
