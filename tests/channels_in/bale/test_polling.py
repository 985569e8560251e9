"""Long polling at Bale's root: updates become messages once, the offset moves."""

from __future__ import annotations

import threading
import time

import pytest

from channels_in.bale.models import BaleConfig, Mode
from channels_in.bale.polling import BalePoller
from helpdesk.models import Message
from tests.channels_in.bale.conftest import update
from tests.channels_in.telegram.fake_bot_api import FakeBotApi

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_it_polls_bale_and_stores_each_update_once(
    bale_config: BaleConfig, fake_api: FakeBotApi
) -> None:
    BaleConfig.objects.filter(pk=bale_config.pk).update(mode=Mode.POLLING)
    first = update("اولی", message_id=61)
    fake_api.add_update(first)
    fake_api.add_update(first)  # Bale redelivers: still one message
    fake_api.add_update(update("دومی", message_id=62))
    poller = BalePoller()
    poller.poll_timeout = 1
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while Message.objects.count() < 2 or BaleConfig.objects.get().polling_offset < 962:
        assert time.monotonic() < deadline, "the poller never got there"
        time.sleep(0.05)
    stop.set()
    thread.join(30)
    assert sorted(Message.objects.values_list("text", flat=True)) == ["اولی", "دومی"]
    assert fake_api.calls_to("deleteWebhook")  # polling mode removes a webhook first
