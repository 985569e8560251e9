"""Chaos 3: the task worker SIGKILLed mid-send to an SMTP sink on loopback.

Eight replies are queued; the worker (`db_worker --queue-name '*'`, its own
process) sends them one by one. The sink records the fourth mail and holds back
its 250: the worker is killed while it waits. A new worker sends the rest, the
sweeper settles the interrupted one as `uncertain`, and no mail arrives twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions.messages import do_reply
from helpdesk.automation.scheduler import run_due_work
from helpdesk.models import DeliveryStatus, Direction, Message, Ticket
from helpdesk.tasks import UNCERTAIN_REASON
from tests.chaos.conftest import SmtpSink
from tests.chaos.processes import DeskProcess, wait_until
from tests.helpdesk.actions_helpers import events_of

pytestmark = [pytest.mark.chaos, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPLIES = 8
HELD = 4  # the mail whose send the kill interrupts
WAIT = 30.0


def _statuses(ticket: Ticket) -> Counter[str]:
    rows = Message.objects.filter(ticket=ticket, direction=Direction.OUTBOUND)
    return Counter(rows.values_list("delivery_status", flat=True))


def test_a_killed_worker_sends_no_mail_twice_and_flags_the_interrupted_one(
    mail_ticket: Ticket,
    chaos_agent: Any,
    smtp_sink: tuple[SmtpSink, int],
    worker: DeskProcess,
) -> None:
    sink = smtp_sink[0]
    sink.hold_at = HELD
    replies = [do_reply(chaos_agent, mail_ticket.pk, f"reply {n}").pk for n in range(REPLIES)]
    worker.start()
    assert sink.holding.wait(WAIT), worker.output()
    worker.kill()  # while the worker waits for the server's answer to the fourth DATA
    sink.release.set()

    assert len(sink.received) == HELD
    assert _statuses(mail_ticket) == {"sent": HELD - 1, "sending": 1, "queued": REPLIES - HELD}
    interrupted = Message.objects.get(delivery_status=DeliveryStatus.SENDING)
    assert interrupted.external_id == sink.message_ids()[HELD - 1]

    worker.start()  # a new worker sends the rest, never the interrupted one
    wait_until(lambda: len(sink.received) == REPLIES, WAIT, "the other mails")
    wait_until(lambda: _statuses(mail_ticket)["sent"] == REPLIES - 1, WAIT, "their records")
    # The sweeper's view past the stranded window: the claim is old, its task's
    # worker is gone. Twice, as the scheduler would run it minute after minute.
    later = timezone.now() + timedelta(minutes=16)
    assert run_due_work(later)["requeued"] == 0
    assert run_due_work(later + timedelta(minutes=1))["requeued"] == 0

    assert _statuses(mail_ticket) == {"sent": REPLIES - 1, "uncertain": 1}
    flagged = Message.objects.get(pk=interrupted.pk)
    assert flagged.delivery_status == DeliveryStatus.UNCERTAIN
    assert flagged.delivery_error == UNCERTAIN_REASON
    statuses = [e["delivery_status"] for e in events_of(mail_ticket, "message.delivery")]
    assert Counter(statuses) == {"sent": REPLIES - 1, "uncertain": 1}
    # Every reply's mail arrived exactly once, the interrupted one included.
    sent_ids = Message.objects.filter(pk__in=replies).values_list("external_id", flat=True)
    assert Counter(sink.message_ids()) == Counter(sent_ids)
    assert len(sink.received) == REPLIES
    assert worker.alive()
