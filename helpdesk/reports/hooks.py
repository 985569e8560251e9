"""Facts follow the conversation: each recorded ticket event refreshes them after commit.

The refresh runs after the action's transaction commits (never under the event
sequence lock), once per transaction for all the tickets it touched.
"""

from __future__ import annotations

import logging
import threading
from functools import partial

from django.db import transaction

from helpdesk import events
from helpdesk.models import TicketEvent

logger = logging.getLogger(__name__)
_pending = threading.local()


def _queued() -> set[int]:
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    ids: set[int] = _pending.ids
    return ids


def _flush() -> None:
    from helpdesk.reports import facts

    ids = _queued()
    if not ids:
        return
    batch = sorted(ids)
    ids.clear()
    try:
        facts.refresh_many(batch)
    except Exception:  # reports never break an action; rebuild_reports repairs
        logger.exception("report facts of tickets %s not refreshed", batch[:20])


def on_event(event: TicketEvent) -> None:
    """recorded_hooks: refresh the ticket's facts once the transaction commits."""
    if event.ticket_id is None or event.type.startswith("sla."):
        return
    # The tickets wait in a set; one callback per transaction refreshes them all at
    # once (a mail import's batch touches ~150). A rolled-back transaction drops its
    # callback, and its tickets are refreshed (harmlessly) with the next one's.
    _queued().add(event.ticket_id)
    connection = transaction.get_connection()
    marker = getattr(_pending, "marker", None)
    if marker is None or not any(entry[1] is marker for entry in connection.run_on_commit):
        marker = _pending.marker = partial(_flush_once)
        transaction.on_commit(marker)


def _flush_once() -> None:
    _pending.marker = None  # the next event registers a new callback
    _flush()


def install() -> None:
    if on_event not in events.recorded_hooks:
        events.recorded_hooks.append(on_event)
