"""WhatsApp webhook ingest: Cloud API webhook calls per second through the whole desk.

Each request goes through Django's full stack (middleware, routing, the WhatsApp
view: X-Hub-Signature-256 over the raw body, strict parsing) into helpdesk.ingest
(dedupe, contact by phone number, threading, message, events) or the channel's
status action, in-process with Django's test client (no socket). Kinds, in order:
`new` (a Persian text from a new number), `reply` (a second text from a known
number), `duplicate` (a redelivered webhook: nothing stored), `status` (a
"delivered" status of a sent message: recorded once, event published), `forged`
(a wrong signature: 403).

    .venv/bin/python bench/webhook_ingest_whatsapp.py --quick    # <= 60 s

SQLite (a temporary file) and PostgreSQL (database `hd_bench_whatsapp`,
recreated) when it answers. Bounded in count and time; loopback only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from _channel_ingest import Send, main

KINDS = {"new": 200, "reply": 200, "duplicate": 200, "status": 200, "forged": 403}
SECRET = "bench-app-secret"  # noqa: S105 - a benchmark's own
NUMBER_ID = "100000000000009"


def _envelope(value: dict[str, Any]) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "982100000000", "phone_number_id": NUMBER_ID},
        **value,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


def setup(count: int) -> Send:
    from django.test import Client
    from django.utils import timezone

    from channels_in.whatsapp.models import SentPart, WhatsAppConfig
    from helpdesk.inbound import InboundMessage, Sender
    from helpdesk.ingest import receive
    from helpdesk.models import Direction, Inbox, Message, Team

    team = Team.objects.create(name="Bench")
    inbox = Inbox.objects.create(kind="whatsapp", name="bench whatsapp", team=team)
    WhatsAppConfig.objects.create(
        inbox=inbox, phone_number_id=NUMBER_ID, access_token=SECRET, app_secret=SECRET
    )
    now = timezone.now()
    first = receive(
        InboundMessage(
            inbox_id=inbox.pk,
            external_id="wamid.SETUP",
            sender=Sender(kind="phone", address="+989120000000"),
            received_at=now,
            text="setup",
        )
    ).message
    # Sent messages whose statuses come in (setup, not measured).
    sent = Message.objects.bulk_create(
        Message(
            ticket_id=first.ticket_id,
            inbox=inbox,
            direction=Direction.OUTBOUND,
            text=f"پاسخ {n}",
            created_at=now,
        )
        for n in range(count)
    )
    SentPart.objects.bulk_create(
        SentPart(message=m, index=0, wamid=f"wamid.OUT{n}") for n, m in enumerate(sent)
    )
    client = Client()

    def send(kind: str, n: int) -> int:
        number = f"98912{n:07d}"
        value: dict[str, Any]
        if kind == "status":
            value = {
                "statuses": [
                    {"id": f"wamid.OUT{n}", "status": "delivered", "timestamp": "1764700000"}
                ]
            }
        else:
            wamid = f"wamid.IN{n}" if kind in ("new", "duplicate", "forged") else f"wamid.RE{n}"
            value = {
                "contacts": [{"profile": {"name": "مشتری"}, "wa_id": number}],
                "messages": [
                    {
                        "from": number if kind != "warm" else "989350000000",
                        "id": wamid if kind != "warm" else "wamid.WARM",
                        "timestamp": "1764700000",
                        "type": "text",
                        "text": {"body": f"سلام، سفارش {n} من کی می‌رسد؟"},
                    }
                ],
            }
        raw = json.dumps(_envelope(value), ensure_ascii=False).encode()
        key = b"not-the-secret" if kind == "forged" else SECRET.encode()
        signature = "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()
        response = client.post(
            "/channels/whatsapp/webhook/",
            raw,
            content_type="application/json",
            headers={"X-Hub-Signature-256": signature},
        )
        return int(response.status_code)

    return send


if __name__ == "__main__":
    main("whatsapp", __file__, setup, KINDS)
