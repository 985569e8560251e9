"""Bale's webhook: the secret is the URL's last segment (Bale sends no secret header)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from channels_in.bale.models import BaleChat, BaleConfig
from helpdesk.models import ContactIdentity, Message
from tests.channels_in.bale.conftest import USER, run_tasks, update
from tests.channels_in.telegram.fake_bot_api import FakeBotApi

pytestmark = [pytest.mark.django_db]


def _post(config: BaleConfig, body: Any, *, secret: str | None = None, **headers: str) -> Any:
    path_secret = config.webhook_secret if secret is None else secret
    url = f"/channels/bale/{config.inbox_id}/webhook/{path_secret}/"
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Client().post(url, raw, content_type="application/json", headers=headers)


@pytest.mark.embedded  # also on SQLite, what the run command serves
def test_it_opens_a_ticket_for_a_persian_message(bale_config: BaleConfig) -> None:
    response = _post(bale_config, update("سلام، سفارش ۱۰۴۲ من کجاست؟", message_id=7))
    assert response.status_code == 200 and response.json()["outcome"] == "stored"
    message = Message.objects.get()
    assert message.text == "سلام، سفارش ۱۰۴۲ من کجاست؟"
    assert message.external_id == f"{USER}:7"
    assert message.channel_meta["bale_chat_id"] == USER
    identity = ContactIdentity.objects.get(kind="bale")
    assert identity.address == str(USER) and identity.contact.name == "مریم احمدی"
    assert BaleChat.objects.get().chat_id == USER


def test_it_stores_a_redelivered_update_once(bale_config: BaleConfig) -> None:
    body = update("دوباره", message_id=8)
    assert _post(bale_config, body).json()["outcome"] == "stored"
    assert _post(bale_config, body).json()["outcome"] == "duplicate"
    assert Message.objects.count() == 1


@pytest.mark.embedded  # also on SQLite, what the run command serves
def test_it_refuses_a_wrong_or_missing_path_secret(bale_config: BaleConfig) -> None:
    secret = bale_config.webhook_secret
    assert _post(bale_config, update(), secret=secret[:-1] + "x").status_code == 403
    assert _post(bale_config, update(), secret="-").status_code == 403
    # Telegram's header is no credential on Bale: only the path counts.
    refused = _post(bale_config, update(), secret="wrong", X_Telegram_Bot_Api_Secret_Token=secret)
    assert refused.status_code == 403
    assert not Message.objects.exists()


def test_it_refuses_the_secret_of_another_inbox(bale_config: BaleConfig, team_b: Any) -> None:
    from tests import factories

    other = BaleConfig.objects.create(
        inbox=factories.make_inbox(team_b, "bale"), bot_token=bale_config.bot_token
    )
    url = f"/channels/bale/{other.inbox_id}/webhook/{bale_config.webhook_secret}/"
    response = Client().post(url, json.dumps(update()), content_type="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"update_id": "x"}',
        json.dumps({"update_id": 1, "message": {"message_id": 1, "chat": {}}}).encode(),
        json.dumps(update(text=None) | {"update_id": 2**70}).encode(),
    ],
)
def test_it_answers_400_to_a_bad_body_and_stores_nothing(
    bale_config: BaleConfig, raw: bytes
) -> None:
    response = _post(bale_config, raw)
    assert response.status_code == 400
    assert "Bale" in response.json()["error"] or "JSON" in response.json()["error"].upper()
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_downloads_a_document_from_bales_file_root(
    bale_config: BaleConfig, fake_api: FakeBotApi
) -> None:
    fake_api.add_file("bale-doc-1", "فاکتور".encode(), "documents/f1.pdf")
    document = {
        "file_id": "bale-doc-1",
        "file_unique_id": "u1",
        "file_name": "فاکتور.pdf",
        "mime_type": "application/pdf",
        "file_size": 12,
    }
    assert _post(bale_config, update(None, message_id=9, document=document)).status_code == 200
    run_tasks()
    attachment = Message.objects.get().attachments.get()
    assert attachment.name == "فاکتور.pdf" and attachment.file.read() == "فاکتور".encode()
    assert [c.method for c in fake_api.calls if c.method in ("getFile", "download")] == [
        "getFile",
        "download",
    ]


def test_it_notes_a_location(bale_config: BaleConfig) -> None:
    location = {"latitude": 35.6892, "longitude": 51.389}
    assert _post(bale_config, update(None, message_id=10, location=location)).status_code == 200
    assert Message.objects.get().text.startswith("[location] 35.689200, 51.389000")


@pytest.mark.django_db(transaction=True)
def test_it_welcomes_on_start(bale_config: BaleConfig, fake_api: FakeBotApi) -> None:
    assert _post(bale_config, update("/start", message_id=11)).json()["outcome"] == "started"
    run_tasks()
    (call,) = fake_api.calls_to("sendMessage")
    assert call.params["text"] == "به پشتیبانی خوش آمدید" and "parse_mode" not in call.params
