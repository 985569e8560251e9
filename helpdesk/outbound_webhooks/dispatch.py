"""From the event log to deliveries: one cursor per subscription over TicketEvent.seq.

Every transaction that records events nudges (on commit) one `fan_out` task.
`fan_out` locks the active subscriptions, reads the events past their cursors in
sequence order, stores one Delivery per matching (subscription, event) with its
body, moves the cursors, and enqueues the first delivery of each ticket (or
contact). Reading "after the cursor" loses nothing because events commit in
sequence order (helpdesk.events takes an advisory lock for that), and a crash
before the commit leaves the cursors where they were: the events are read again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.tasks import task

from helpdesk import events
from helpdesk.models import Direction, TicketEvent
from helpdesk.outbound_webhooks import catalog, payloads
from helpdesk.outbound_webhooks.catalog import WebhookEvent
from helpdesk.outbound_webhooks.delivery import deliver, sweep
from helpdesk.outbound_webhooks.models import Delivery, Subscription
from helpdesk.task_connection import releases_broken_connection

logger = logging.getLogger(__name__)

BATCH = 500
MAX_BATCHES = 20  # per task run; a longer backlog continues in a new task
NUDGE_KEY = "helpdesk:webhooks:fan-out-queued"


def install() -> None:
    """Hook into event recording (the nudge after each commit that recorded events)."""
    if _on_recorded not in events.recorded_hooks:
        events.recorded_hooks.append(_on_recorded)


def any_active() -> bool:
    """Whether some subscription is active: one indexed query per committed transaction
    that recorded events (a cached answer went stale when rows vanished without signals)."""
    return Subscription.objects.filter(active=True).exists()


def _on_recorded(_event: TicketEvent) -> None:
    # Once per transaction: the nudge sits in the on-commit list until it runs.
    connection = transaction.get_connection()
    if any(entry[1] is nudge for entry in connection.run_on_commit):
        return
    transaction.on_commit(nudge, robust=True)


def nudge() -> None:
    """Queue a fan-out unless one is already queued (and not started yet)."""
    if not any_active():
        return
    # Short-lived: a lost mark costs one more (idle) fan-out, a stale one a delay.
    if cache.add(NUDGE_KEY, "1", timeout=2):
        fan_out.enqueue()


@task()
@releases_broken_connection
def fan_out() -> int:
    """Turn the events past every active subscription's cursor into deliveries."""
    # Events committed from now on queue another run: this one may not see them.
    cache.delete(NUDGE_KEY)
    created = 0
    for _ in range(MAX_BATCHES):
        count, more = fan_out_batch()
        created += count
        if not more:
            return created
    fan_out.enqueue()
    return created


def fan_out_batch() -> tuple[int, bool]:
    """One batch of events for every active subscription; (deliveries stored, more?)."""
    with transaction.atomic():
        subs = list(Subscription.objects.select_for_update().filter(active=True).order_by("id"))
        if not subs:
            return 0, False
        low = min(s.cursor for s in subs)
        with events.settled():  # a cursor past an event still in flight would skip it
            batch = list(TicketEvent.objects.filter(id__gt=low).order_by("id")[:BATCH])
        if not batch:
            return 0, False
        high = batch[-1].pk
        plan = Plan(batch)
        rows = [d for sub in subs for d in plan.deliveries(sub)]
        Delivery.objects.bulk_create(rows)
        for sub in subs:
            sub.cursor = max(sub.cursor, high)
        Subscription.objects.bulk_update(subs, ["cursor"])
        heads: dict[tuple[int, str], int] = {}
        for d in rows:
            heads.setdefault((d.subscription_id, d.order_key or str(d.pk)), d.pk)
        if heads:
            first = list(heads.values())
            transaction.on_commit(lambda: _enqueue(first), robust=True)
        return len(rows), len(batch) == BATCH


def _enqueue(delivery_ids: list[int]) -> None:
    # The first delivery of each ticket in the batch: the others follow as each ends.
    for pk in dict.fromkeys(delivery_ids):
        deliver.enqueue(pk)


def order_key(ticket_id: int | None, contact_id: int | None) -> str:
    if ticket_id is not None:
        return f"ticket:{ticket_id}"
    if contact_id is not None:
        return f"contact:{contact_id}"
    return ""


class Plan:
    """Which events of a batch go to a subscription, and their bodies (built once)."""

    def __init__(self, batch: list[TicketEvent]) -> None:
        self.batch = [(e, catalog.webhook_type(e.type)) for e in batch]
        self.snapshots = payloads.Snapshots([e for e, t in self.batch if t is not None])
        self._bodies: dict[int, str] = {}

    def deliveries(self, sub: Subscription) -> list[Delivery]:
        wanted = set(sub.event_types)
        seen_contact_events: set[tuple[str, Any, Any]] = set()
        rows = []
        for event, type_ in self.batch:
            if type_ is None or event.pk <= sub.cursor or type_ not in wanted:
                continue
            if not self.matches(sub, event, type_):
                continue
            if event.ticket_id is None and type_.startswith("contact."):
                # A contact's change is recorded once per team that has its tickets.
                key = (event.type, event.payload.get("contact_id"), event.created_at)
                if key in seen_contact_events and sub.team_id is None:
                    continue
                seen_contact_events.add(key)
            rows.append(self.delivery(sub, event, type_))
        return rows

    def matches(self, sub: Subscription, event: TicketEvent, type_: str) -> bool:
        """The subscription's filters: internal notes, team, inbox, channel."""
        if type_ == WebhookEvent.MESSAGE_CREATED and not sub.include_internal_notes:
            message = self.snapshots.message(event)
            direction = message.direction if message else event.payload.get("direction")
            if direction == Direction.NOTE:
                return False
        if sub.team_id is not None and event.team_id != sub.team_id:
            return False
        ticket = self.snapshots.ticket(event)
        if ticket is None:
            return True  # a contact's event: only the team filter applies
        if sub.inbox_id is not None and ticket.inbox_id != sub.inbox_id:
            return False
        return not sub.channel or ticket.inbox.kind == sub.channel

    def delivery(self, sub: Subscription, event: TicketEvent, type_: str) -> Delivery:
        body = self._bodies.get(event.pk)
        if body is None:
            body = payloads.dumps(payloads.build(event, type_, self.snapshots))
            self._bodies[event.pk] = body
        ticket_id = payloads.ticket_id_of(event)
        return Delivery(
            subscription=sub,
            event=event,
            seq=event.pk,
            event_type=type_,
            order_key=order_key(ticket_id, self.snapshots.contact_id(event)),
            body=body,
        )


def current_seq() -> int:
    """The highest settled event sequence number (a new subscription starts after it)."""
    return events.settled_head()


def scheduled(now: datetime) -> int:
    """The scheduler's minute: a fan-out in case a nudge was lost, then the sweep."""
    if any_active():
        fan_out.enqueue()
    return sweep(now)
