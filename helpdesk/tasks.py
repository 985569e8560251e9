"""Background tasks (Django's tasks framework; django-tasks-db in every setup)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from helpdesk.actions.messages import do_record_delivery
from helpdesk.channels import DeliveryError, get_sender, send_copy_elsewhere
from helpdesk.models import DeliveryStatus, Direction, Message

logger = logging.getLogger(__name__)


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff from the configured base, capped at an hour; a longer
    wait the channel asked for (`retry_after`) is honoured as given."""
    base = settings.HELPDESK_DELIVERY_BACKOFF_SECONDS * (2 ** max(attempt - 1, 0))
    return float(max(min(base, 3600), retry_after or 0))


@task()
def deliver_message(message_id: int) -> str:
    """Deliver one queued outbound message through its channel's sender.

    The send itself runs outside any transaction (slow I/O); the outcome is
    recorded by an action, which publishes `message.delivery`.
    """
    message = Message.objects.select_related("inbox", "ticket").filter(pk=message_id).first()
    if message is None or message.direction != Direction.OUTBOUND:
        return "skipped"
    if message.delivery_status != DeliveryStatus.QUEUED:
        return f"already {message.delivery_status}"
    try:
        result = get_sender(message.inbox.kind).send(message)
    except DeliveryError as exc:
        return _failed(message, exc)
    except Exception as exc:  # an adapter bug must not lose the message: retry, then fail
        logger.exception("sender for %s crashed on message %s", message.inbox.kind, message.pk)
        return _failed(message, DeliveryError(f"internal error: {exc}", permanent=False))
    external_id = result.external_id
    if not result.reached:
        # The channel kept the reply, but the customer was not there (a chat visitor
        # who left): the core offers it on another of their channels.
        copied_by = send_copy_elsewhere(message)
        suffix = f"copied-to-{copied_by}" if copied_by else "not-seen-yet"
        external_id = f"{external_id}:{suffix}" if external_id else suffix
    do_record_delivery(message.pk, status=DeliveryStatus.SENT, external_id=external_id)
    return "sent"


def _failed(message: Message, exc: DeliveryError) -> str:
    attempts = message.delivery_attempts + 1
    give_up = exc.permanent or attempts >= settings.HELPDESK_DELIVERY_MAX_ATTEMPTS
    status = DeliveryStatus.FAILED if give_up else DeliveryStatus.QUEUED
    do_record_delivery(message.pk, status=status, error=exc.reason)
    if give_up:
        logger.warning("message %s failed: %s", message.pk, exc.reason)
        return "failed"
    delay = backoff_seconds(attempts, exc.retry_after)
    deliver_message.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(message.pk)
    return f"retry in {delay:.0f}s"


# A reply is QUEUED from the moment it is written until its delivery is recorded,
# and a task is always on its way for it: enqueued on commit, re-enqueued by a
# retry. A crash between those steps (the process dies after the commit and
# before the enqueue, or a worker dies mid-send) leaves a queued reply with no
# task: the sweep below finds those and enqueues them again.
STRANDED_AFTER = timedelta(minutes=10)
RUNNING_DEAD_AFTER = timedelta(minutes=15)  # a send is bounded far below this
SWEEP_BATCH = 500


def requeue_stranded(now: datetime) -> int:
    """Enqueue delivery again for queued replies that no task will deliver."""
    from django_tasks_db.models import DBTaskResult  # the tasks app must be ready

    waiting = DBTaskResult.objects.filter(task_path=deliver_message.module_path).filter(
        Q(status="READY") | Q(status="RUNNING", started_at__gte=now - RUNNING_DEAD_AFTER)
    )
    covered = {
        args["args"][0] for args in waiting.values_list("args_kwargs", flat=True) if args["args"]
    }
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
