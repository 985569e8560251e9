"""Sending one delivery: claim, POST outside any transaction, record the outcome.

A claim turns `pending` into `delivering` with a lease; a worker killed during
the POST leaves the lease to expire, and the sweep (`sweep`, every minute from
the scheduler) hands the delivery to another worker: at-least-once, with the
same X-Helpdesk-Delivery id, so receivers can drop the duplicate.

Order: a delivery with an order key (its ticket, or its contact) is not sent
while an earlier one of the same key and subscription is unfinished; when a
delivery ends (sent, or failed for good) the next of its key is enqueued.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.tasks import task
from django.utils import timezone

from helpdesk.outbound_webhooks import signing, transport
from helpdesk.outbound_webhooks.models import Delivery, DeliveryStatus, Subscription
from helpdesk.task_connection import releases_broken_connection

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
LEASE = timedelta(seconds=60)  # far above the 10 s a POST may take
BACKOFF_CAP_SECONDS = 3600
USER_AGENT = "Helpdesk-Webhooks/1"
_jitter = random.Random()  # noqa: S311 - spreads retries out; nothing secret depends on it


@dataclass(frozen=True, slots=True)
class Claim:
    delivery: Delivery
    url: str
    secrets: list[str]


@task()
@releases_broken_connection
def deliver(delivery_pk: int) -> str:
    """Send one delivery if it is due and first in its order; record what happened."""
    claim = _claim(delivery_pk, timezone.now())
    if isinstance(claim, str):
        return claim
    d = claim.delivery
    body = d.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Helpdesk-Event": d.event_type,
        "X-Helpdesk-Delivery": str(d.delivery_id),
        "X-Helpdesk-Signature": signing.signature_header(
            body, claim.secrets, int(timezone.now().timestamp())
        ),
    }
    outcome = transport.post(claim.url, body, headers)
    return record(d.pk, d.attempts, outcome)


def _claim(pk: int, now: datetime) -> Claim | str:
    with transaction.atomic():
        # Only the delivery's row: FOR UPDATE on the join would lock (and, skipping
        # locked rows, skip) the subscription that every worker's claim shares.
        d = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=pk)
            .first()
        )
        if d is None:
            return "gone or being claimed"
        expired = d.status == DeliveryStatus.DELIVERING and d.lease_until and d.lease_until < now
        if d.status != DeliveryStatus.PENDING and not expired:
            return f"already {d.status}"
        if d.next_attempt_at > now + timedelta(seconds=1):
            return "not due yet"  # its retry task is scheduled for then
        sub = d.subscription
        if not sub.active and not d.is_test:
            return "subscription inactive"
        if d.order_key and _earlier_unfinished(d).exists():
            return "waiting for an earlier event"
        d.status = DeliveryStatus.DELIVERING
        d.attempts += 1
        d.lease_until = now + LEASE
        d.last_attempt_at = now
        d.save(update_fields=["status", "attempts", "lease_until", "last_attempt_at"])
        return Claim(d, sub.url, active_secrets(sub, now))


def _earlier_unfinished(d: Delivery) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        subscription_id=d.subscription_id,
        order_key=d.order_key,
        status__in=DeliveryStatus.unfinished(),
        seq__lt=d.seq,
    )


def active_secrets(sub: Subscription, now: datetime) -> list[str]:
    """The secrets that sign now: the newest first, then those in their grace period."""
    rows = sub.secrets.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).order_by("-id")
    return [s.secret for s in rows]


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter (half to all of base * 2^(attempt-1), capped at
    an hour); a longer Retry-After is honoured as given."""
    base = float(settings.HELPDESK_WEBHOOK_BACKOFF_SECONDS) * (2 ** max(attempt - 1, 0))
    delay = min(base, BACKOFF_CAP_SECONDS) * _jitter.uniform(0.5, 1.0)
    return float(max(delay, retry_after or 0.0))


def record(pk: int, attempt: int, outcome: transport.Outcome) -> str:
    """Store the outcome of attempt number `attempt` (ignored if the delivery moved on)."""
    now = timezone.now()
    with transaction.atomic():
        d = Delivery.objects.select_for_update().filter(pk=pk).first()
        if d is None or d.status != DeliveryStatus.DELIVERING or d.attempts != attempt:
            return "outcome of an old attempt ignored"
        d.duration_ms = outcome.duration_ms
        d.response_status = outcome.status
        d.response_body = outcome.body
        d.error = outcome.error[:500]
        d.lease_until = None
        result = _settle(d, outcome, now)
        d.save()
        if d.is_test:
            return result
        if d.status == DeliveryStatus.SUCCEEDED:
            Subscription.objects.filter(pk=d.subscription_id, consecutive_failures__gt=0).update(
                consecutive_failures=0
            )
        elif d.status == DeliveryStatus.FAILED:
            _count_failure(d.subscription_id, now)
        if d.status != DeliveryStatus.PENDING and d.order_key:
            _enqueue_next(d)
        return result


def _settle(d: Delivery, outcome: transport.Outcome, now: datetime) -> str:
    if outcome.ok:
        d.status = DeliveryStatus.SUCCEEDED
        d.finished_at = now
        return "delivered"
    deadline = d.created_at + timedelta(hours=settings.HELPDESK_WEBHOOK_RETRY_HOURS)
    if outcome.retryable:
        delay = backoff_seconds(d.attempts, outcome.retry_after)
        when = now + timedelta(seconds=delay)
        if when <= deadline:
            d.status = DeliveryStatus.PENDING
            d.next_attempt_at = when
            pk = d.pk
            transaction.on_commit(lambda: deliver.using(run_after=when).enqueue(pk), robust=True)
            return f"retry in {delay:.0f}s"
    d.status = DeliveryStatus.FAILED
    d.finished_at = now
    return "failed"


def _enqueue_next(d: Delivery) -> None:
    following = (
        Delivery.objects.filter(
            subscription_id=d.subscription_id,
            order_key=d.order_key,
            status=DeliveryStatus.PENDING,
            seq__gt=d.seq,
        )
        .order_by("seq")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        transaction.on_commit(lambda: deliver.enqueue(following), robust=True)


def _count_failure(subscription_id: int, now: datetime) -> None:
    Subscription.objects.filter(pk=subscription_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    sub = Subscription.objects.get(pk=subscription_id)
    if sub.active and sub.consecutive_failures >= settings.HELPDESK_WEBHOOK_DISABLE_AFTER:
        from helpdesk.outbound_webhooks.actions import disable_after_failures

        disable_after_failures(sub, now)


def sweep(now: datetime) -> int:
    """Enqueue again what no task will send: expired leases (a worker died during the
    POST) and due deliveries first in their order whose task was lost. Prunes the log."""
    stale = list(
        Delivery.objects.filter(status=DeliveryStatus.DELIVERING, lease_until__lt=now)
        .order_by("id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    pending = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING, subscription__active=True)
        .order_by("seq", "id")
        .values_list("subscription_id", "order_key", "pk", "next_attempt_at")[: SWEEP_BATCH * 4]
    )
    firsts: dict[tuple[int, str], tuple[int, datetime]] = {}
    for sub_id, key, pk, due in pending:
        firsts.setdefault((sub_id, key or str(pk)), (pk, due))
    lost = [pk for pk, due in firsts.values() if due < now - timedelta(minutes=2)]
    ids = stale + lost[:SWEEP_BATCH]
    for pk in ids:
        deliver.enqueue(pk)
    prune(now)
    return len(ids)


def prune(now: datetime) -> int:
    """Delete finished deliveries older than HELPDESK_WEBHOOK_LOG_DAYS."""
    cutoff = now - timedelta(days=settings.HELPDESK_WEBHOOK_LOG_DAYS)
    old = Delivery.objects.filter(
        created_at__lt=cutoff, status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
    ).values_list("pk", flat=True)[: SWEEP_BATCH * 10]
    deleted, _ = Delivery.objects.filter(pk__in=list(old)).delete()
    return deleted
