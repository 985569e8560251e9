"""Facts follow the conversation: each recorded ticket event refreshes them after commit.

The refresh runs after the action's transaction commits (never under the event
sequence lock), once per ticket per transaction.
"""

from __future__ import annotations

import logging
import threading

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


def _flush(ticket_id: int) -> None:
    from helpdesk.reports import facts

    ids = _queued()
    if ticket_id not in ids:
        return
    ids.discard(ticket_id)
    try:
        facts.refresh(ticket_id)
    except Exception:  # reports never break an action; rebuild_reports repairs
        logger.exception("report facts of ticket %s not refreshed", ticket_id)


def on_event(event: TicketEvent) -> None:
    """recorded_hooks: refresh the ticket's facts once the transaction commits."""
    if event.ticket_id is None or event.type.startswith("sla."):
        return
    # Every event registers its callback (a rolled-back transaction drops its own),
    # and the first callback of the ticket to run refreshes it, the others see it done.
    _queued().add(event.ticket_id)
    ticket_id = event.ticket_id
    transaction.on_commit(lambda: _flush(ticket_id))


def install() -> None:
    if on_event not in events.recorded_hooks:
        events.recorded_hooks.append(on_event)
