"""Delivery as a state machine: queued -> sending (committed before the send) -> sent |
failed, and a send interrupted by a dying worker is never repeated without an agent."""

from __future__ import annotations

import email
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from channels_in.email.sender import EmailSender, message_id_for
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.actions.messages import do_reply, do_retry_delivery, do_start_delivery
from helpdesk.automation.scheduler import run_due_work
from helpdesk.channels import SendResult
from helpdesk.models import DeliveryStatus, Message, Ticket
from helpdesk.tasks import UNCERTAIN_REASON, deliver_message
from tests.channels_in.email.servers import SmtpRecorder, sending_mailbox
from tests.factories import run_queued_tasks
from tests.helpdesk.actions_helpers import events_of, open_ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


class WorkerKilled(BaseException):  # noqa: N818 - stands in for SIGKILL, not an error
    """What a worker dying right after the SMTP server accepted looks like to the code:
    nothing after the send runs (no except clause catches a BaseException)."""


class DyingEmailSender(EmailSender):
    """The real SMTP sender; the worker dies once the server has accepted the mail."""

    def __init__(self) -> None:
        self.die = True

    def send(self, message: Message) -> SendResult:
        result = super().send(message)
        if self.die:
            raise WorkerKilled
        return result


@pytest.fixture
def ticket(email_inbox_a: Any, smtp: tuple[SmtpRecorder, int]) -> Ticket:
    sending_mailbox(email_inbox_a, smtp[1])
    return open_ticket(email_inbox_a, external_id="<question@customer>")


def _as_if_long_ago(message: Message) -> None:
    """The sweeper's view some minutes later: the claim is old, its task row is a dead
    worker's (RUNNING, started long ago)."""
    past = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk=message.pk).update(delivery_started_at=past)
    DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).update(
        status="RUNNING", started_at=past
    )


def test_a_worker_killed_after_the_smtp_server_accepted_never_resends_the_mail(
    ticket: Ticket, agent_a: Any, smtp: tuple[SmtpRecorder, int], sender_override: Any
) -> None:
    recorder = smtp[0]
    sender = DyingEmailSender()
    sender_override("email", sender)
    reply = do_reply(agent_a, ticket.pk, "پاسخ ما: once only")
    with pytest.raises(WorkerKilled):
        deliver_message.call(reply.pk)
    assert len(recorder.received) == 1
    sending = Message.objects.get(pk=reply.pk)
    assert sending.delivery_status == DeliveryStatus.SENDING and sending.delivery_attempt
    # The Message-ID was stored, committed, before the mail left.
    assert sending.external_id == message_id_for(sending, "desk.example")
    sent_id = email.message_from_bytes(recorder.received[0].data)["Message-ID"]
    assert sent_id == sending.external_id

    assert run_due_work()["requeued"] == 0  # not while the claim is fresh
    _as_if_long_ago(reply)
    run_due_work()
    run_due_work()  # a second sweep changes nothing
    run_queued_tasks()
    uncertain = Message.objects.get(pk=reply.pk)
    assert uncertain.delivery_status == DeliveryStatus.UNCERTAIN
    assert uncertain.delivery_error == UNCERTAIN_REASON
    assert len(recorder.received) == 1  # never resent blindly
    statuses = [e["delivery_status"] for e in events_of(ticket, "message.delivery")]
    assert statuses == ["uncertain"]

    # Only an agent sends it again, once, with the same Message-ID.
    sender.die = False
    do_retry_delivery(agent_a, reply.pk)
    run_queued_tasks()
    run_queued_tasks()
    assert len(recorder.received) == 2
    resent = email.message_from_bytes(recorder.received[1].data)["Message-ID"]
    assert resent == sent_id
    delivered = Message.objects.get(pk=reply.pk)
    assert delivered.delivery_status == DeliveryStatus.SENT and delivered.external_id == sent_id


def test_the_timeline_asks_the_agent_whether_to_resend_an_uncertain_mail(
    ticket: Ticket, agent_a: Any, client: Any, sender_override: Any
) -> None:
    sender_override("email", DyingEmailSender())
    reply = do_reply(agent_a, ticket.pk, "did it arrive?")
    with pytest.raises(WorkerKilled):
        deliver_message.call(reply.pk)
    _as_if_long_ago(reply)
    run_due_work()
    client.force_login(agent_a)
    page = client.get(f"/t/{ticket.pk}/").content.decode()
    assert 'data-delivery="uncertain"' in page
    assert "May have been sent — resend?" in page
    assert f"/m/{reply.pk}/retry/" in page


def test_an_agent_cannot_resend_a_mail_that_is_being_sent(
    ticket: Ticket, agent_a: Any, agent_b: Any, sender_override: Any
) -> None:
    sender_override("email", DyingEmailSender())
    reply = do_reply(agent_a, ticket.pk, "in flight")
    assert do_start_delivery(reply.pk) is not None
    with pytest.raises(Invalid):
        do_retry_delivery(agent_a, reply.pk)
    assert do_start_delivery(reply.pk) is None  # one claim per attempt
    Message.objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.UNCERTAIN)
    with pytest.raises(NotFound):  # an agent of another team cannot resend it
        do_retry_delivery(agent_b, reply.pk)


class FailsOnce:
    """A database fault at the worst moment: the first statement that records "sent"."""

    def __init__(self) -> None:
        self.failed = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if (
            not self.failed
            and sql.startswith('UPDATE "helpdesk_message"')
            and "sent" in (params or ())
        ):
            self.failed += 1
            raise OperationalError("terminating connection due to administrator command")
        return execute(sql, params, many, context)


def test_recording_sent_survives_a_database_error_without_sending_again(
    ticket: Ticket, agent_a: Any, smtp: tuple[SmtpRecorder, int]
) -> None:
    recorder = smtp[0]
    reply = do_reply(agent_a, ticket.pk, "hello")
    fault = FailsOnce()
    with connection.execute_wrapper(fault):
        assert deliver_message.call(reply.pk) == "sent"
    assert fault.failed == 1 and len(recorder.received) == 1
    delivered = Message.objects.get(pk=reply.pk)
    assert delivered.delivery_status == DeliveryStatus.SENT and delivered.delivery_attempts == 1
    assert [e["delivery_status"] for e in events_of(ticket, "message.delivery")] == ["sent"]
    run_queued_tasks()  # the task enqueued on commit finds it sent
    assert len(recorder.received) == 1


@pytest.mark.postgres
def test_recording_sent_survives_a_terminated_connection(
    ticket: Ticket, agent_a: Any, smtp: tuple[SmtpRecorder, int], sender_override: Any
) -> None:
    recorder = smtp[0]

    class TerminatedAfterSend(EmailSender):
        """The SMTP server accepts, then PostgreSQL drops the worker's connection."""

        def send(self, message: Message) -> SendResult:
            result = super().send(message)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                (pid,) = cursor.fetchone() or (0,)

            def terminate() -> None:
                with connections["default"].cursor() as other:
                    other.execute("SELECT pg_terminate_backend(%s)", [pid])
                connections["default"].close()

            killer = threading.Thread(target=terminate)
            killer.start()
            killer.join()
            return result

    sender_override("email", TerminatedAfterSend())
    reply = do_reply(agent_a, ticket.pk, "hello")
    assert deliver_message.call(reply.pk) == "sent"
    assert len(recorder.received) == 1
    assert Message.objects.get(pk=reply.pk).delivery_status == DeliveryStatus.SENT


class LookingUpSender:
    """A channel that can tell whether an attempt arrived (a provider's message ids)."""

    def __init__(self, verdict: bool | None) -> None:
        self.verdict = verdict
        self.sent: list[int] = []

    def send(self, message: Message) -> SendResult:
        self.sent.append(message.pk)
        return SendResult(external_id=f"provider-{message.pk}-{len(self.sent)}")

    def was_delivered(self, message: Message) -> bool | None:
        return self.verdict


@pytest.mark.parametrize(
    ("verdict", "status", "sends"),
    [(True, DeliveryStatus.SENT, 0), (False, DeliveryStatus.SENT, 1), (None, "uncertain", 0)],
)
def test_the_sweeper_asks_a_channel_that_can_tell(
    ticket: Ticket,
    agent_a: Any,
    sender_override: Any,
    verdict: bool | None,
    status: str,
    sends: int,
) -> None:
    sender = LookingUpSender(verdict)
    sender_override("email", sender)
    reply = do_reply(agent_a, ticket.pk, "hello")
    assert do_start_delivery(reply.pk) is not None  # the worker claimed it, then died
    _as_if_long_ago(reply)
    run_due_work()
    run_queued_tasks()
    assert Message.objects.get(pk=reply.pk).delivery_status == status
    assert len(sender.sent) == sends
