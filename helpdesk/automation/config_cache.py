"""Rules and inbox automation settings, read once per few seconds per process.

Every inbound message asks "which rules?" and "which inbox settings?"; they
change rarely. Saves in this process clear the cache at once (signals); other
processes see a change within TTL_SECONDS.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db.models.signals import post_delete, post_save

from helpdesk.models import BusinessHours, InboxAutomation, Rule

TTL_SECONDS = 5.0

_lock = threading.Lock()
_store: dict[tuple[str, Any], tuple[float, Any]] = {}


def cached(key: tuple[str, Any], load: Any) -> Any:
    """`load()`, kept for TTL_SECONDS under `key` (cleared by clear())."""
    now = time.monotonic()
    with _lock:
        hit = _store.get(key)
        if hit is not None and now - hit[0] < TTL_SECONDS:
            return hit[1]
    value = load()
    with _lock:
        _store[key] = (now, value)
    return value


def rules_for(trigger: str) -> list[Rule]:
    return list(
        cached(
            ("rules", trigger),
            lambda: list(
                Rule.objects.filter(enabled=True, trigger=trigger).order_by("position", "id")
            ),
        )
    )


def inbox_automation(inbox_id: int) -> InboxAutomation | None:
    found: InboxAutomation | None = cached(
        ("inbox", inbox_id),
        lambda: (
            InboxAutomation.objects.select_related("business_hours")
            .filter(inbox_id=inbox_id)
            .first()
        ),
    )
    return found


def clear(*args: Any, **kwargs: Any) -> None:
    with _lock:
        _store.clear()


for _model in (Rule, InboxAutomation, BusinessHours):
    post_save.connect(clear, sender=_model, dispatch_uid=f"automation-cache-save-{_model.__name__}")
    post_delete.connect(
        clear, sender=_model, dispatch_uid=f"automation-cache-delete-{_model.__name__}"
    )
