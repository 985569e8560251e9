"""WhatsApp tests: a loopback fake Graph API and webhook bodies shaped like Meta's."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.test import Client

from channels_in.whatsapp.models import WhatsAppConfig
from tests import factories
from tests.channels_in.whatsapp.fake_graph import FakeGraph, running_fake_graph

TOKEN = "EAAGm0PX4ZCpsBAtestonlytoken"  # noqa: S105 - test-only
APP_SECRET = "3f1c0a9e8b7d6c5b4a3f2e1d0c9b8a7f"  # noqa: S105 - test-only
VERIFY = "verify-me-please-0123456789"  # noqa: S105 - test-only
NUMBER_ID = "106540352242922"
WA_ID = "989121234567"
_ids = itertools.count(1)


def text_message(body: str = "سلام، سفارشم کجاست؟", **overrides: Any) -> dict[str, Any]:
    return message("text", text={"body": body}, **overrides)


def message(kind: str, **content: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "from": WA_ID,
        "id": f"wamid.IN{next(_ids):08d}",
        "timestamp": str(int(time.time())),  # messages are dated by Meta's stamp
        "type": kind,
    }
    return base | content


def envelope(
    *,
    messages: Sequence[Any] = (),
    statuses: Sequence[Any] = (),
    number: str = NUMBER_ID,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "989120001234", "phone_number_id": number},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "زهرا رضایی"}, "wa_id": WA_ID}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }


def status(wamid: str, state: str, stamp: int = 1764700100, **extra: Any) -> dict[str, Any]:
    return {
        "id": wamid,
        "status": state,
        "timestamp": str(stamp),
        "recipient_id": WA_ID,
        **extra,
    }


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(body: Any, *, signature: str | None = None, secret: str = APP_SECRET) -> Any:
    """POST a webhook body like Meta: raw JSON, X-Hub-Signature-256 of the exact bytes."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    headers = {"X-Hub-Signature-256": sign(raw, secret) if signature is None else signature}
    return Client().post(
        "/channels/whatsapp/webhook/", raw, content_type="application/json", headers=headers
    )


@pytest.fixture
def fake_graph(settings: Any) -> Iterator[FakeGraph]:
    with running_fake_graph(TOKEN, NUMBER_ID) as graph:
        settings.WHATSAPP_GRAPH_URL = graph.url
        yield graph


@pytest.fixture
def wa_config(team_a: Any, fake_graph: FakeGraph) -> WhatsAppConfig:
    return WhatsAppConfig.objects.create(
        inbox=factories.make_inbox(team_a, "whatsapp"),
        phone_number_id=NUMBER_ID,
        access_token=TOKEN,
        app_secret=APP_SECRET,
        verify_token=VERIFY,
    )


def run_tasks() -> None:
    factories.run_queued_tasks("whatsapp-tests")
