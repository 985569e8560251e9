"""Background tasks (Django's tasks framework; django-tasks-db in every setup)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from helpdesk.actions.messages import do_record_delivery, do_start_delivery
from helpdesk.channels import (
    DeliveryError,
    DeliveryLookup,
    NotConnected,
    PlansExternalId,
    Sender,
    get_sender,
    send_copy_elsewhere,
)
from helpdesk.models import DeliveryStatus, Direction, Message
from helpdesk.task_connection import releases_broken_connection

logger = logging.getLogger(__name__)


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff from the configured base, capped at an hour; a longer
    wait the channel asked for (`retry_after`) is honoured as given."""
    base = settings.HELPDESK_DELIVERY_BACKOFF_SECONDS * (2 ** max(attempt - 1, 0))
    return float(max(min(base, 3600), retry_after or 0))


@task()
@releases_broken_connection
def deliver_message(message_id: int) -> str:
    """Deliver one queued outbound message through its channel's sender.

    queued -> sending is committed before the send (do_start_delivery), the send
    runs outside any transaction (slow I/O), and the outcome is recorded for that
    attempt only. A worker that dies in between leaves the message `sending`,
    which is never sent again blindly (settle_interrupted_sends).
    """
    message = Message.objects.select_related("inbox", "ticket").filter(pk=message_id).first()
    if message is None or message.direction != Direction.OUTBOUND:
        return "skipped"
    if message.delivery_status != DeliveryStatus.QUEUED:
        return f"already {message.delivery_status}"
    sender: Sender | None = None
    planned: str | None = None
    setup_error = DeliveryError("the sender did not load", permanent=False)
    try:
        sender = get_sender(message.inbox.kind)
        if isinstance(sender, PlansExternalId):
            planned = sender.planned_external_id(message)
    except Exception as exc:  # a broken adapter must not lose the message: retry, then fail
        logger.exception("sender for %s failed to load", message.inbox.kind)
        setup_error = DeliveryError(f"internal error: {exc}", permanent=False)
    attempt = do_start_delivery(message.pk, external_id=planned)
    if attempt is None:
        return "already claimed"
    if sender is None:
        return _failed(message, attempt, setup_error)
    try:
        result = sender.send(message)
    except DeliveryError as exc:
        return _failed(message, attempt, exc)
    except Exception as exc:  # an adapter bug before the send: retry, then fail
        logger.exception("sender for %s crashed on message %s", message.inbox.kind, message.pk)
        return _failed(message, attempt, DeliveryError(f"internal error: {exc}", permanent=False))
    external_id = result.external_id
    if not result.reached:
        # The channel kept the reply, but the customer was not there (a chat visitor
        # who left): the core offers it on another of their channels.
        copied_by = send_copy_elsewhere(message)
        suffix = f"copied-to-{copied_by}" if copied_by else "not-seen-yet"
        external_id = f"{external_id}:{suffix}" if external_id else suffix
    do_record_delivery(
        message.pk, status=DeliveryStatus.SENT, external_id=external_id, attempt=attempt
    )
    return "sent"


def _failed(message: Message, attempt: str, exc: DeliveryError) -> str:
    if isinstance(exc, NotConnected):
        # Nothing was tried: the reply waits for the channel to be set up, not retried.
        do_record_delivery(
            message.pk, status=DeliveryStatus.NOT_CONNECTED, error=exc.reason, attempt=attempt
        )
        return "not connected"
    attempts = message.delivery_attempts + 1
    give_up = exc.permanent or attempts >= settings.HELPDESK_DELIVERY_MAX_ATTEMPTS
    status = DeliveryStatus.FAILED if give_up else DeliveryStatus.QUEUED
    do_record_delivery(message.pk, status=status, error=exc.reason, attempt=attempt)
    if give_up:
        logger.warning("message %s failed: %s", message.pk, exc.reason)
        return "failed"
    delay = backoff_seconds(attempts, exc.retry_after)
    deliver_message.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(message.pk)
    return f"retry in {delay:.0f}s"


# A reply is QUEUED from the moment it is written until a worker claims it, and a
# task is always on its way for it: enqueued on commit, re-enqueued by a retry. A
# crash between those steps (the process dies after the commit and before the
# enqueue) leaves a queued reply with no task: the sweep below enqueues it again.
# A reply found SENDING long after its claim belongs to a worker that died during
# the send: it may or may not have reached the customer (settle_interrupted_sends).
STRANDED_AFTER = timedelta(minutes=10)
RUNNING_DEAD_AFTER = timedelta(minutes=15)  # a send is bounded far below this
SWEEP_BATCH = 500
UNCERTAIN_REASON = "the worker stopped during the send; the channel cannot tell whether it arrived"


def _live_tasks(now: datetime) -> tuple[set[int], set[int]]:
    """Message ids with a delivery task (ready or running), and with a running one."""
    from django_tasks_db.models import DBTaskResult  # the tasks app must be ready

    tasks = DBTaskResult.objects.filter(task_path=deliver_message.module_path).filter(
        Q(status="READY") | Q(status="RUNNING", started_at__gte=now - RUNNING_DEAD_AFTER)
    )
    covered: set[int] = set()
    running: set[int] = set()
    for status, args in tasks.values_list("status", "args_kwargs"):
        if args["args"]:
            covered.add(args["args"][0])
            if status == "RUNNING":
                running.add(args["args"][0])
    return covered, running


def requeue_stranded(now: datetime) -> int:
    """Enqueue delivery again for queued replies that no task will deliver, and settle
    the sends a dead worker left behind (never by sending them again blindly)."""
    covered, running = _live_tasks(now)
    settle_interrupted_sends(now, running)
    stranded = (
        Message.objects.filter(
            direction=Direction.OUTBOUND,
            delivery_status=DeliveryStatus.QUEUED,
            created_at__lte=now - STRANDED_AFTER,
        )
        .exclude(pk__in=covered)
        .order_by("id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    requeued = 0
    for message_id in stranded:
        logger.warning(
            "message %s was queued without a delivery task; enqueuing it again", message_id
        )
        deliver_message.enqueue(message_id)
        requeued += 1
    return requeued


def settle_interrupted_sends(now: datetime, running: set[int] | None = None) -> int:
    """Messages left `sending` by a worker that died: ask the channel, else `uncertain`.

    A sender that can look an attempt up (helpdesk.channels.DeliveryLookup) settles
    it as sent, or queues it again when it surely did not arrive; any other is
    marked uncertain, and only an agent can send it again (do_retry_delivery).
    """
    if running is None:
        running = _live_tasks(now)[1]
    interrupted = (
        Message.objects.select_related("inbox", "ticket")
        .filter(
            direction=Direction.OUTBOUND,
            delivery_status=DeliveryStatus.SENDING,
            delivery_started_at__lte=now - STRANDED_AFTER,
        )
        .exclude(pk__in=running)
        .order_by("id")[:SWEEP_BATCH]
    )
    settled = 0
    for message in interrupted:
        verdict = _look_up(message)
        attempt = message.delivery_attempt
        if verdict is True:
            do_record_delivery(message.pk, status=DeliveryStatus.SENT, attempt=attempt)
        elif verdict is False:
            reason = "the worker stopped before the channel received it; sending again"
            do_record_delivery(
                message.pk, status=DeliveryStatus.QUEUED, error=reason, attempt=attempt
            )
            deliver_message.enqueue(message.pk)
        else:
            logger.warning("message %s may have been sent; an agent decides", message.pk)
            do_record_delivery(
                message.pk, status=DeliveryStatus.UNCERTAIN, error=UNCERTAIN_REASON, attempt=attempt
            )
        settled += 1
    return settled


def _look_up(message: Message) -> bool | None:
    try:
        sender = get_sender(message.inbox.kind)
        if isinstance(sender, DeliveryLookup):
            return sender.was_delivered(message)
    except Exception:  # a lookup that fails tells nothing
        logger.exception("looking up the delivery of message %s failed", message.pk)
    return None
