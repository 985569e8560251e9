"""Fixtures: a loopback receiver, loopback allowed, a subscription to it, and a drain
that runs the real task worker until nothing is due."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from helpdesk.outbound_webhooks import actions
from helpdesk.outbound_webhooks.models import Subscription
from tests.factories import run_queued_tasks
from tests.helpdesk.outbound_webhooks.receiver import Receiver

ALL_TYPES = [
    "ticket.created",
    "ticket.updated",
    "message.created",
    "contact.created",
    "contact.updated",
]
DOCS = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    settings.HELPDESK_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def subscribe(
    admin_user: Any, receiver: Receiver, loopback_allowed: None
) -> Callable[..., tuple[Subscription, str]]:
    def make(**fields: Any) -> tuple[Subscription, str]:
        data = {"name": "shop", "url": receiver.url, "event_types": ALL_TYPES} | fields
        return actions.do_create_subscription(admin_user, data)

    return make


def drain(rounds: int = 30) -> None:
    """Run the real db_worker until no task is ready and due (retries later stay)."""
    for _ in range(rounds):
        if not DBTaskResult.objects.ready().exists():
            return
        run_queued_tasks()


def make_due() -> None:
    """Time travel for the retry queue: deferred tasks and deliveries are due now."""
    from helpdesk.outbound_webhooks.models import Delivery

    now = timezone.now()
    DBTaskResult.objects.filter(status="READY").update(run_after=now)
    Delivery.objects.filter(status="pending").update(next_attempt_at=now)


def documented_verify() -> Callable[[bytes, str, str], bool]:
    """The Python verification snippet of docs/webhooks.md, as written there."""
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- verify-python -->\s*```python\n(.*?)```", text, re.DOTALL)
    assert found, "docs/webhooks.md lost its Python snippet"
    scope: dict[str, Any] = {}
    exec(compile(found.group(1), str(DOCS), "exec"), scope)  # noqa: S102 - our own docs
    return scope["verify"]  # type: ignore[no-any-return]
