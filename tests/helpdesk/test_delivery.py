"""Outbound delivery through django-tasks-db: enqueue on commit, send, retry, give up."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from helpdesk import channels
from helpdesk.actions.messages import do_reply, do_retry_delivery
from helpdesk.automation.scheduler import run_due_work
from helpdesk.channels import DeliveryError, SendResult
from helpdesk.ingest import receive
from helpdesk.models import DeliveryStatus, Message, Ticket
from helpdesk.tasks import backoff_seconds, deliver_message
from tests.factories import inbound, run_queued_tasks
from tests.helpdesk.actions_helpers import events_of, open_ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


@dataclass
class FakeSender:
    """The network edge: records what it was asked to send, then does as told."""

    outcomes: list[Any] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)
    in_transaction: list[bool] = field(default_factory=list)

    def send(self, message: Message) -> SendResult:
        self.sent.append(message)
        self.in_transaction.append(connection.in_atomic_block)
        outcome = self.outcomes.pop(0) if self.outcomes else SendResult(external_id=None)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def drain() -> None:
    """Run a real db_worker until no task is ready."""
    run_queued_tasks()


def ready_tasks() -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"))


def make_due() -> None:
    """Time travel for the retry queue: what was deferred is due now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


@pytest.fixture
def ticket(email_inbox_a: Any) -> Ticket:
    return open_ticket(email_inbox_a, external_id="<question@customer>")


@pytest.fixture
def sender(sender_override: Any) -> FakeSender:
    fake = FakeSender()
    sender_override("email", fake)
    return fake


def test_it_enqueues_delivery_only_after_commit(ticket: Ticket, agent_a: Any) -> None:
    with transaction.atomic():
        reply = do_reply(agent_a, ticket.pk, "hello")
        assert DBTaskResult.objects.count() == 0
    task = DBTaskResult.objects.get()
    assert task.task_path == "helpdesk.tasks.deliver_message"
    assert task.args_kwargs == {"args": [reply.pk], "kwargs": {}}


def test_it_enqueues_nothing_when_the_reply_rolls_back(ticket: Ticket, agent_a: Any) -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        do_reply(agent_a, ticket.pk, "hello")
        _ = 1 / 0
    assert DBTaskResult.objects.count() == 0
    assert not Message.objects.filter(direction="outbound").exists()


def test_it_delivers_a_reply_and_records_the_outcome(
    ticket: Ticket, agent_a: Any, sender: FakeSender
) -> None:
    sender.outcomes = [SendResult(external_id="<reply-1@desk>")]
    reply = do_reply(agent_a, ticket.pk, "پاسخ ما")
    drain()
    sent = Message.objects.get(pk=reply.pk)
    assert [m.pk for m in sender.sent] == [reply.pk] and sender.sent[0].text == "پاسخ ما"
    assert sender.in_transaction == [False]  # slow I/O stays outside transactions
    assert sent.delivery_status == DeliveryStatus.SENT and sent.sent_at is not None
    assert sent.external_id == "<reply-1@desk>" and sent.delivery_attempts == 1
    assert events_of(ticket, "message.delivery") == [
        {
            "ticket_id": ticket.pk,
            "message_id": reply.pk,
            "delivery_status": "sent",
            "error": "",
            "attempts": 1,
        }
    ]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    # The customer answering our reply lands in the same ticket.
    inbox = ticket.inbox
    answer = receive(inbound(inbox, sender="someone@example.com", in_reply_to="<reply-1@desk>"))
    assert answer.ticket.pk == ticket.pk


def test_it_retries_a_temporary_failure_with_growing_backoff_then_gives_up(
    ticket: Ticket, agent_a: Any, sender: FakeSender, settings: Any
) -> None:
    settings.HELPDESK_DELIVERY_MAX_ATTEMPTS = 3
    settings.HELPDESK_DELIVERY_BACKOFF_SECONDS = 60
    sender.outcomes = [DeliveryError(f"421 busy #{n}", permanent=False) for n in (1, 2, 3)]
    reply = do_reply(agent_a, ticket.pk, "hello")
    waits: list[float] = []
    for attempt in (1, 2):
        drain()  # runs what is due, leaves the deferred retry alone
        message = Message.objects.get(pk=reply.pk)
        assert message.delivery_status == DeliveryStatus.QUEUED
        assert message.delivery_attempts == attempt
        assert message.delivery_error == f"421 busy #{attempt}"
        (retry,) = ready_tasks()
        assert retry.run_after > timezone.now()
        waits.append((retry.run_after - retry.enqueued_at).total_seconds())
        make_due()
    assert waits[0] == pytest.approx(backoff_seconds(1), abs=5)
    assert waits[1] == pytest.approx(backoff_seconds(2), abs=5) and waits[1] > waits[0]
    drain()
    failed = Message.objects.get(pk=reply.pk)
    assert failed.delivery_status == DeliveryStatus.FAILED and failed.delivery_attempts == 3
    assert failed.delivery_error == "421 busy #3"
    assert ready_tasks() == []
    statuses = [e["delivery_status"] for e in events_of(ticket, "message.delivery")]
    assert statuses == ["queued", "queued", "failed"]


def test_it_honours_the_wait_a_channel_asks_for(
    ticket: Ticket, agent_a: Any, sender: FakeSender, settings: Any
) -> None:
    settings.HELPDESK_DELIVERY_BACKOFF_SECONDS = 1
    sender.outcomes = [DeliveryError("429 too many requests", permanent=False, retry_after=7200)]
    do_reply(agent_a, ticket.pk, "hello")
    drain()
    (retry,) = ready_tasks()
    assert (retry.run_after - retry.enqueued_at).total_seconds() >= 7200 - 5


def test_it_fails_a_permanent_error_at_once_and_keeps_the_reason(
    ticket: Ticket, agent_a: Any, sender: FakeSender
) -> None:
    sender.outcomes = [DeliveryError("550 mailbox unavailable", permanent=True)]
    reply = do_reply(agent_a, ticket.pk, "hello")
    drain()
    failed = Message.objects.get(pk=reply.pk)
    assert failed.delivery_status == DeliveryStatus.FAILED and failed.delivery_attempts == 1
    assert failed.delivery_error == "550 mailbox unavailable"
    assert ready_tasks() == [] and len(sender.sent) == 1
    assert events_of(ticket, "message.delivery")[-1]["error"] == "550 mailbox unavailable"


def test_it_treats_a_crashing_sender_as_a_temporary_failure(
    ticket: Ticket, agent_a: Any, sender: FakeSender
) -> None:
    sender.outcomes = [RuntimeError("adapter bug")]
    reply = do_reply(agent_a, ticket.pk, "hello")
    drain()
    message = Message.objects.get(pk=reply.pk)
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert "adapter bug" in message.delivery_error
    assert len(ready_tasks()) == 1
    make_due()
    drain()
    assert Message.objects.get(pk=reply.pk).delivery_status == DeliveryStatus.SENT


def _replace_spec(monkeypatch: Any, kind: str, **changes: Any) -> None:
    """Install a changed copy of a channel's manifest for one test."""
    specs = [dataclasses.replace(s, **changes) if s.kind == kind else s for s in channels.specs()]
    monkeypatch.setitem(channels._cache, "specs", specs)


def test_it_treats_a_sender_that_cannot_be_imported_as_a_temporary_failure(
    ticket: Ticket, agent_a: Any, monkeypatch: Any
) -> None:
    _replace_spec(monkeypatch, "email", sender="tests.helpdesk.broken_sender.BrokenSender")
    reply = do_reply(agent_a, ticket.pk, "hello")
    drain()
    message = Message.objects.get(pk=reply.pk)
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert "helpdesk_no_such_dependency" in message.delivery_error


def test_it_refuses_permanently_on_a_channel_without_a_sender(
    ticket: Ticket, agent_a: Any, monkeypatch: Any
) -> None:
    _replace_spec(monkeypatch, "email", sender=None)
    reply = do_reply(agent_a, ticket.pk, "hello")
    drain()
    failed = Message.objects.get(pk=reply.pk)
    assert failed.delivery_status == DeliveryStatus.FAILED
    assert failed.delivery_error == "the Email channel does not send replies"
    with pytest.raises(DeliveryError) as refused:
        channels.get_sender("carrier-pigeon").send(failed)
    assert refused.value.permanent
    assert refused.value.reason == "no sender is registered for channel 'carrier-pigeon'"


def test_it_requeues_a_failed_message_when_an_agent_retries(
    ticket: Ticket, agent_a: Any, sender: FakeSender
) -> None:
    sender.outcomes = [
        DeliveryError("550 over quota", permanent=True),
        SendResult(external_id="<second-try@desk>"),
    ]
    reply = do_reply(agent_a, ticket.pk, "hello")
    drain()
    assert Message.objects.get(pk=reply.pk).delivery_status == DeliveryStatus.FAILED
    do_retry_delivery(agent_a, reply.pk)
    assert len(ready_tasks()) == 1
    drain()
    delivered = Message.objects.get(pk=reply.pk)
    assert delivered.delivery_status == DeliveryStatus.SENT
    assert delivered.external_id == "<second-try@desk>" and delivered.delivery_attempts == 1
    statuses = [e["delivery_status"] for e in events_of(ticket, "message.delivery")]
    assert statuses == ["failed", "queued", "sent"]


def test_it_skips_messages_that_are_not_queued_outbound(
    ticket: Ticket, agent_a: Any, sender: FakeSender
) -> None:
    inbound_message = Message.objects.get(ticket=ticket)
    assert deliver_message.call(inbound_message.pk) == "skipped"
    assert deliver_message.call(999_999) == "skipped"
    reply = do_reply(agent_a, ticket.pk, "hello")
    drain()
    assert deliver_message.call(reply.pk) == "already sent"
    assert len(sender.sent) == 1


def test_it_keeps_a_delivered_message_when_the_channel_reuses_an_id(
    ticket: Ticket, agent_a: Any, sender: FakeSender
) -> None:
    # "<question@customer>" is the id of the customer's own message in this inbox.
    sender.outcomes = [SendResult(external_id="<question@customer>")]
    reply = do_reply(agent_a, ticket.pk, "hello")
    drain()
    delivered = Message.objects.get(pk=reply.pk)
    assert delivered.delivery_status == DeliveryStatus.SENT and delivered.external_id is None


def test_it_caps_the_backoff_but_not_the_channels_own_wait(settings: Any) -> None:
    settings.HELPDESK_DELIVERY_BACKOFF_SECONDS = 30
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff_seconds(20) == 3600
    assert backoff_seconds(1, retry_after=5) == 30
    assert backoff_seconds(1, retry_after=timedelta(hours=2).total_seconds()) == 7200


def test_a_reply_whose_task_was_lost_is_enqueued_again_and_delivered(
    ticket: Ticket, agent_a: Any, sender: FakeSender
) -> None:
    lost = do_reply(agent_a, ticket.pk, "lost in a crash")
    waiting = do_reply(agent_a, ticket.pk, "waiting for a retry")
    fresh = do_reply(agent_a, ticket.pk, "just written")
    # The crash: the first reply's task never reached the queue; the second one's
    # retry is deferred (backoff); all but the third were written long ago.
    DBTaskResult.objects.filter(args_kwargs__args=[lost.pk]).delete()
    DBTaskResult.objects.filter(args_kwargs__args=[waiting.pk]).update(
        run_after=timezone.now() + timedelta(hours=1)
    )
    Message.objects.filter(pk__in=[lost.pk, waiting.pk]).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert run_due_work()["requeued"] == 1
    assert run_due_work()["requeued"] == 0  # its task is on its way now
    drain()
    assert sorted(m.pk for m in sender.sent) == [lost.pk, fresh.pk]
    assert Message.objects.get(pk=lost.pk).delivery_status == DeliveryStatus.SENT
    assert Message.objects.get(pk=waiting.pk).delivery_status == DeliveryStatus.QUEUED


def test_a_reply_stuck_with_a_dead_worker_is_enqueued_again(
    ticket: Ticket, agent_a: Any, sender: FakeSender
) -> None:
    reply = do_reply(agent_a, ticket.pk, "the worker died mid-send")
    Message.objects.filter(pk=reply.pk).update(created_at=timezone.now() - timedelta(hours=1))
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - timedelta(hours=1))
    assert run_due_work()["requeued"] == 1
    drain()
    assert Message.objects.get(pk=reply.pk).delivery_status == DeliveryStatus.SENT
