"""The contacts search finds Telegram customers by their @username (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest

from channels_in.telegram.handler import handle_update
from channels_in.telegram.models import Mode, TelegramConfig
from channels_in.telegram.shape import load_update as shape_update
from helpdesk.models import Ticket
from tests.channels_in.telegram.conftest import TOKEN, load_update
from tests.helpdesk.api.conftest import API

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _receive(inbox: Any, update_id: int, user: int, username: str, first: str) -> int:
    config = TelegramConfig.objects.get_or_create(
        inbox=inbox, defaults={"bot_token": TOKEN, "mode": Mode.WEBHOOK}
    )[0]
    data = load_update("text_message", message_id=update_id)
    data["update_id"] = update_id
    for who in (data["message"]["from"], data["message"]["chat"]):
        who.update(id=user, username=username, first_name=first)
    handle_update(config, shape_update(data))
    return Ticket.objects.get(contact__identities__address=str(user)).contact_id


def _search(client: Any, q: str) -> list[int]:
    return [c["id"] for c in client.get(f"{API}/contacts", q=q).json()["items"]]


def test_it_finds_a_telegram_customer_by_username_with_or_without_the_at(
    api: Any, agent_a: Any, agent_b: Any, telegram_inbox_a: Any
) -> None:
    reza = _receive(telegram_inbox_a, 1, 111222333, "Reza_K", "Reza")
    _receive(telegram_inbox_a, 2, 444555666, "reza_karimi_2", "Reza")
    client = api(agent_a)
    assert _search(client, "@reza_k") == [reza]  # any case, only that handle
    assert _search(client, "REZA_K") == [reza]
    assert _search(client, "@nobody_here") == []
    assert _search(api(agent_b), "@reza_k") == []  # team B sees no team A contact


def test_it_follows_a_changed_username(api: Any, agent_a: Any, telegram_inbox_a: Any) -> None:
    reza = _receive(telegram_inbox_a, 1, 111222333, "old_name", "Reza")
    assert _receive(telegram_inbox_a, 2, 111222333, "new_name", "Reza") == reza
    client = api(agent_a)
    assert _search(client, "@new_name") == [reza]
    assert _search(client, "@old_name") == []
