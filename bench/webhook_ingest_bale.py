"""Bale webhook ingest: Bot API updates per second through the whole desk.

Each request goes through Django's full stack (middleware, routing, the Bale view:
the secret path segment compared in constant time, strict update parsing) into
the shared Bot API kit's handler and helpdesk.ingest (dedupe, contact, threading,
message, events), in-process with Django's test client (no socket). Kinds, in
order: `new` (a Persian text from a new user: new contact and ticket), `reply` (a
second text from a known user), `duplicate` (a redelivered update: nothing
stored), `forged` (a wrong path secret: 403).

    .venv/bin/python bench/webhook_ingest_bale.py --quick    # <= 60 s

SQLite (a temporary file) and PostgreSQL (database `hd_bench_bale`, recreated)
when it answers. Bounded in count and time; loopback only.
"""

from __future__ import annotations

import json
from typing import Any

from _channel_ingest import Send, main

KINDS = {"new": 200, "reply": 200, "duplicate": 200, "forged": 403}


def setup(count: int) -> Send:
    from django.test import Client

    from channels_in.bale.models import BaleConfig
    from helpdesk.models import Inbox, Team

    team = Team.objects.create(name="Bench")
    inbox = Inbox.objects.create(kind="bale", name="bench bale", team=team)
    token = "1234567890:bench-token-not-real"  # noqa: S105 - never sent anywhere
    config = BaleConfig.objects.create(inbox=inbox, bot_token=token)
    client = Client()
    good = f"/channels/bale/{inbox.pk}/webhook/{config.webhook_secret}/"
    bad = f"/channels/bale/{inbox.pk}/webhook/{config.webhook_secret[:-1]}x/"

    def send(kind: str, n: int) -> int:
        user = 500_000_000 + n if kind != "warm" else 1
        message_id = {"new": 1, "duplicate": 1, "reply": 2}.get(kind, 3)
        update: dict[str, Any] = {
            "update_id": n * 10 + message_id,
            "message": {
                "message_id": message_id,
                "date": 1_764_700_000 + n,
                "chat": {"id": user, "type": "private", "first_name": "مشتری"},
                "from": {"id": user, "is_bot": False, "first_name": "مشتری", "last_name": str(n)},
                "text": f"سلام، سفارش {n} من کی می‌رسد؟" if kind != "reply" else "ممنون",
            },
        }
        path = bad if kind == "forged" else good
        body = json.dumps(update, ensure_ascii=False)
        return int(client.post(path, body, content_type="application/json").status_code)

    return send


if __name__ == "__main__":
    main("bale", __file__, setup, KINDS)
