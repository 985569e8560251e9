"""Long polling against the fake Bot API: offsets acknowledged only after commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from channels_in.telegram import polling
from channels_in.telegram.models import Mode, TelegramConfig
from channels_in.telegram.polling import TelegramPoller
from helpdesk.models import Message, Ticket
from tests.channels_in.telegram.conftest import load_update
from tests.channels_in.telegram.fake_bot_api import FakeBotApi

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


@pytest.fixture
def polling_config(bot_config: TelegramConfig) -> TelegramConfig:
    bot_config.mode = Mode.POLLING
    bot_config.save()
    return bot_config


@pytest.fixture
def poller() -> Iterator[Callable[[Callable[[], bool]], None]]:
    """Run a TelegramPoller in a thread until a condition holds (or fail after a while)."""
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def _run_until(condition: Callable[[], bool]) -> None:
        instance = TelegramPoller()
        instance.poll_timeout = 1
        instance.initial_backoff = 0.05
        thread = threading.Thread(target=instance.run, args=(stop,), daemon=True)
        threads.append(thread)
        thread.start()
        deadline = time.monotonic() + 60
        while not condition():
            assert time.monotonic() < deadline, "the poller never got there"
            time.sleep(0.05)
        stop.set()
        thread.join(30)
        assert not thread.is_alive()
        stop.clear()

    yield _run_until
    stop.set()
    for thread in threads:
        thread.join(30)


def test_it_turns_polled_updates_into_a_ticket(
    polling_config: TelegramConfig, fake_api: FakeBotApi, poller: Any
) -> None:
    fake_api.webhook = {"url": "https://old.example/hook"}
    fake_api.add_update(load_update("text_message"))
    fake_api.add_update(load_update("persian_text"))
    poller(lambda: Message.objects.count() == 2)
    assert Ticket.objects.count() == 1
    polling_config.refresh_from_db()
    assert polling_config.polling_offset == 900000003 + 1
    assert fake_api.webhook == {}  # polling mode removes a webhook Telegram still has
    assert fake_api.calls_to("getUpdates")[0].params["allowed_updates"] == polling.ALLOWED_UPDATES


def test_it_rereads_an_update_after_a_crash_before_commit(
    polling_config: TelegramConfig,
    fake_api: FakeBotApi,
    poller: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[str] = []
    real = vars(polling)["handle_update"]

    def crash_once(config: TelegramConfig, update: Any) -> str:
        outcome: str = real(config, update)  # stored, but not yet committed
        attempts.append(outcome)
        if len(attempts) == 1:
            raise RuntimeError("the process died before commit")
        return outcome

    monkeypatch.setattr(polling, "handle_update", crash_once)
    fake_api.add_update(load_update("text_message"))
    poller(lambda: len(attempts) >= 2 and Message.objects.exists())
    assert attempts[:2] == ["stored", "stored"]  # the rollback undid the first store
    assert Message.objects.count() == 1
    offsets = [c.params.get("offset") for c in fake_api.calls_to("getUpdates")]
    assert offsets[:2] == [None, None]  # nothing acknowledged until the commit
    polling_config.refresh_from_db()
    assert polling_config.polling_offset == 900000001 + 1


def test_it_never_duplicates_an_update_served_again(
    polling_config: TelegramConfig, fake_api: FakeBotApi, poller: Any
) -> None:
    fake_api.add_update(load_update("text_message"))
    poller(lambda: Message.objects.exists())
    # Telegram serves it again (say our acknowledgement was lost): still one message.
    TelegramConfig.objects.filter(pk=polling_config.pk).update(polling_offset=0)
    fake_api.add_update(load_update("text_message"))
    fake_api.add_update(load_update("persian_text"))
    poller(lambda: Message.objects.count() == 2)
    assert Message.objects.filter(external_id="111222333:11").count() == 1


def test_it_skips_an_inbox_in_webhook_mode(
    bot_config: TelegramConfig, fake_api: FakeBotApi, poller: Any
) -> None:
    fake_api.add_update(load_update("text_message"))
    started = time.monotonic()
    poller(lambda: time.monotonic() - started > 0.5)
    assert not fake_api.calls_to("getUpdates") and not Message.objects.exists()
