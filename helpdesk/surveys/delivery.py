"""Survey tasks: send a due request, relay a prompt for channels that cannot carry text,
and the scheduler's sweep (due requests whose task was lost, due NPS campaigns)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from helpdesk.actions.messages import do_record_delivery, do_start_delivery
from helpdesk.channels import send_copy_elsewhere
from helpdesk.models import DeliveryStatus, Message
from helpdesk.surveys.actions import do_send_request
from helpdesk.surveys.models import RequestStatus, SurveyRequest
from helpdesk.task_connection import releases_broken_connection

logger = logging.getLogger(__name__)

# A scheduled request this late has lost its task (a crash between commit and
# enqueue): the scheduler sends it.
LATE = timedelta(minutes=5)
BATCH = 200


@task()
@releases_broken_connection
def send_survey(request_id: int) -> str:
    """Send one due survey request (skip rules are checked again now)."""
    return "sent" if do_send_request(request_id) is not None else "not sent"


@task()
@releases_broken_connection
def relay_prompt(message_id: int) -> str:
    """Carry a survey prompt of a channel without text (phone) to another of the
    contact's channels (an email from the team's mailbox, say)."""
    message = Message.objects.select_related("ticket").filter(pk=message_id).first()
    if message is None:
        return "skipped"
    attempt = do_start_delivery(message_id)
    if attempt is None:
        return "already claimed"
    carried_by = send_copy_elsewhere(message)
    if carried_by is None:
        do_record_delivery(
            message_id,
            status=DeliveryStatus.FAILED,
            error="the customer has no other channel this desk can send the survey to",
            attempt=attempt,
        )
        return "failed"
    do_record_delivery(
        message_id,
        status=DeliveryStatus.SENT,
        external_id=f"survey-relayed:{message_id}:{carried_by}",
        attempt=attempt,
    )
    return f"relayed by {carried_by}"


def send_due(now: datetime | None = None) -> int:
    """Send scheduled requests well past due (their task was lost); the scheduler calls it."""
    now = now or timezone.now()
    due = SurveyRequest.objects.filter(
        Q(status=RequestStatus.SCHEDULED) & Q(send_after__lte=now - LATE)
    ).values_list("id", flat=True)[:BATCH]
    sent = 0
    for request_id in list(due):
        try:
            if do_send_request(request_id) is not None:
                sent += 1
        except Exception:
            logger.exception("survey request %s could not be sent", request_id)
    return sent
