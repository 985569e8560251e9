"""A missed call becomes a call-back task; calling the customer back settles it.

Through the phone channel's real CTI endpoint (the core only sees the ingested
call message and the `call.ended` event).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from channels_in.phone.models import Call, PhoneLine
from helpdesk.followups.models import Task, TaskKind, TaskStatus
from helpdesk.models import TicketEvent
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cti(team_a: Any) -> Any:
    inbox = factories.make_inbox(team_a, "phone", name="Main line")
    line = PhoneLine(inbox=inbox, numbers=["+982112345678"])
    token = line.new_token()
    line.save()
    client = Client()

    def post(**fields: Any) -> Any:
        data = {"from": "09121234567", "to": "+982112345678", "direction": "in"} | fields
        return client.post(f"/api/v1/cti/{token}", data)

    return post


def test_it_opens_one_callback_task_per_missed_call_on_its_ticket(cti: Any, team_a: Any) -> None:
    cti(event="newCall", callId="m1", **{"from": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    cti(event="hangup", callId="m1", cause="cancel", **{"from": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    call = Call.objects.get(call_id="m1")
    task = Task.objects.get()
    assert task.kind == TaskKind.CALLBACK and task.status == TaskStatus.OPEN
    assert (task.ticket_id, task.contact_id, task.team_id) == (
        call.ticket_id,
        call.contact_id,
        team_a.pk,
    )
    assert (task.call_id, task.call_number) == (call.pk, "+989121234567")
    assert task.due_at is not None and "+989121234567" in task.title
    created = TicketEvent.objects.get(type="task.created")
    assert created.ticket_id == call.ticket_id
    # A repeated hangup (the PBX retries) changes nothing.
    cti(event="hangup", callId="m1", cause="cancel", **{"from": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    assert Task.objects.count() == 1


def test_it_makes_no_task_for_an_answered_call(cti: Any) -> None:
    cti(event="newCall", callId="a1")
    cti(event="answer", callId="a1", user="nobody")
    cti(event="hangup", callId="a1", cause="normalClearing")
    assert not Task.objects.exists()


def test_it_settles_the_callback_task_when_the_customer_is_called_back(cti: Any) -> None:
    cti(event="newCall", callId="m2")
    cti(event="hangup", callId="m2", cause="noAnswer")
    assert Task.objects.get().is_active
    back = {"direction": "out", "from": "+982112345678", "to": "09121234567"}
    cti(event="newCall", callId="o1", **back)
    cti(event="answer", callId="o1", **back)
    cti(event="hangup", callId="o1", cause="normalClearing", **back)
    task = Task.objects.get()
    assert task.status == TaskStatus.DONE and task.completed_at is not None
    assert TicketEvent.objects.filter(type="task.updated").count() == 1
