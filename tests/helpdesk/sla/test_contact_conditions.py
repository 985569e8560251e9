"""Policies chosen by the contact: segments and typed attributes, applied and re-applied."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.actions.contacts import do_set_contact_attributes
from helpdesk.actions.segments import do_save_segment
from helpdesk.models import AttributeDefinition, Contact, Inbox, Segment, Ticket, TicketEvent
from helpdesk.sla.models import SlaContactCondition, TicketSla
from helpdesk.sla.reapply import reapply_segment
from tests.helpdesk.sla.conftest import Clock, make_policy

pytestmark = [pytest.mark.django_db]

type NewTicket = Callable[..., Ticket]


def _policy_of(ticket: Ticket) -> str:
    return TicketSla.objects.get(pk=ticket.pk).policy_name


def _set_attributes(ticket: Ticket, **values: Any) -> None:
    Contact.objects.filter(pk=ticket.contact_id).update(custom_attributes=values)


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def typed(db: None) -> None:
    AttributeDefinition.objects.create(entity="contact", key="seats", label="Seats", type="number")
    AttributeDefinition.objects.create(entity="contact", key="renews", label="Renews", type="date")


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("op", "value", "attrs", "covered"),
    [
        ("eq", "gold", {"plan": "gold"}, True),
        ("eq", "gold", {"plan": "silver"}, False),
        ("ne", "gold", {"plan": "silver"}, True),
        ("ne", "gold", {}, True),
        ("ne", "gold", {"plan": "gold"}, False),
        ("contains", "old", {"plan": "Gold"}, True),
        ("set", "", {"plan": "x"}, True),
        ("set", "", {"plan": ""}, False),
        ("unset", "", {}, True),
        ("unset", "", {"plan": "x"}, False),
    ],
)
def test_it_selects_a_policy_by_a_contact_attribute(
    email_inbox_a: Inbox,
    new_ticket: NewTicket,
    op: str,
    value: str,
    attrs: dict[str, Any],
    covered: bool,
) -> None:
    gold = make_policy("Gold", position=0, first=15)
    SlaContactCondition.objects.create(policy=gold, key="plan", op=op, value=value)
    make_policy("Standard", position=1)
    probe = new_ticket(email_inbox_a, sender="c@example.com")  # the contact exists now
    _set_attributes(probe, **attrs)
    ticket = new_ticket(email_inbox_a, sender="c@example.com")  # a new mail: a new ticket
    assert (ticket.contact_id, ticket.pk != probe.pk) == (probe.contact_id, True)
    assert _policy_of(ticket) == ("Gold" if covered else "Standard")


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("op", "value", "seats", "covered"),
    [
        ("gte", "10", 12, True),
        ("gte", "۱۰", 9, False),
        ("lt", "10", 9, True),
        ("gt", "10", 10, False),
    ],
)
def test_it_compares_a_number_attribute_as_a_number(
    typed: None,
    email_inbox_a: Inbox,
    new_ticket: NewTicket,
    op: str,
    value: str,
    seats: int,
    covered: bool,
) -> None:
    big = make_policy("Big accounts", position=0)
    SlaContactCondition.objects.create(policy=big, key="seats", op=op, value=value)
    make_policy("Standard", position=1)
    first = new_ticket(email_inbox_a, sender="owner@example.com")
    _set_attributes(first, seats=seats)
    again = new_ticket(email_inbox_a, sender="owner@example.com")
    assert _policy_of(again) == ("Big accounts" if covered else "Standard")


@pytest.mark.embedded
@pytest.mark.embedded
@pytest.mark.parametrize(("value", "visits", "covered"), [("۵", 7, True), ("5", 3, False)])
def test_it_compares_an_undefined_attribute_by_the_number_typed(
    email_inbox_a: Inbox, new_ticket: NewTicket, value: str, visits: int, covered: bool
) -> None:
    regular = make_policy("Regulars", position=0)
    SlaContactCondition.objects.create(policy=regular, key="visits", op="gte", value=value)
    make_policy("Standard", position=1)
    _set_attributes(new_ticket(email_inbox_a, sender="r@example.com"), visits=visits)
    again = new_ticket(email_inbox_a, sender="r@example.com")
    assert _policy_of(again) == ("Regulars" if covered else "Standard")


def test_it_selects_a_policy_by_segment_and_reselects_when_the_segment_changes(
    email_inbox_a: Inbox, new_ticket: NewTicket, admin_user: Any, clock: Clock, commits: Any
) -> None:
    vip = Segment.objects.create(name="VIP", definition={"include_ids": [0]})
    policy = make_policy("VIP", position=0, first=15)
    policy.segments.set([vip])
    make_policy("Standard", position=1, first=60)
    ticket = new_ticket(email_inbox_a)
    assert _policy_of(ticket) == "Standard"

    clock.advance(minutes=10)
    with commits():
        do_save_segment(
            admin_user, vip.pk, name="VIP", definition={"include_ids": [ticket.contact_id]}
        )
    _run_enqueued(vip.pk)
    row = TicketSla.objects.get(pk=ticket.pk)
    assert row.policy_name == "VIP"
    # Ten minutes of the fifteen were spent already: due five minutes from now.
    assert row.first_response_due_at == clock.now + _minutes(5)
    applied = TicketEvent.objects.filter(ticket=ticket, type="sla.applied").last()
    assert applied is not None and applied.payload["reason"] == "segment"
    assert applied.payload["previous_policy"] == "Standard"

    with commits():
        do_save_segment(admin_user, vip.pk, name="VIP", definition={"include_ids": [0]})
    _run_enqueued(vip.pk)
    assert _policy_of(ticket) == "Standard"  # it left the segment: the next policy again


@pytest.mark.embedded
def test_the_segment_task_reads_the_segment_as_saved_not_as_cached(
    email_inbox_a: Inbox, new_ticket: NewTicket
) -> None:
    from helpdesk.sla.policies import enabled_policies

    vip = Segment.objects.create(name="VIP", definition={"include_ids": [0]})
    make_policy("VIP", position=0).segments.set([vip])
    make_policy("Standard", position=1)
    ticket = new_ticket(email_inbox_a)
    enabled_policies()  # a worker process that cached the policies a moment ago
    # Saved by another process: this one's cache still holds the old filter.
    Segment.objects.filter(pk=vip.pk).update(definition={"include_ids": [ticket.contact_id]})
    assert reapply_segment.call(vip.pk) == 1
    assert _policy_of(ticket) == "VIP"


@pytest.mark.embedded
def test_it_reselects_when_the_contacts_attribute_changes(
    email_inbox_a: Inbox, new_ticket: NewTicket, admin_user: Any, commits: Any
) -> None:
    gold = make_policy("Gold", position=0, first=15)
    SlaContactCondition.objects.create(policy=gold, key="plan", op="eq", value="gold")
    make_policy("Standard", position=1)
    ticket = new_ticket(email_inbox_a)
    assert _policy_of(ticket) == "Standard"
    with commits():
        do_set_contact_attributes(admin_user, ticket.contact_id, {"plan": "gold"})
    assert _policy_of(ticket) == "Gold"
    applied = TicketEvent.objects.filter(ticket=ticket, type="sla.applied").last()
    assert applied is not None and applied.payload["reason"] == "contact"
    with commits():  # a change the policies do not read: no new history row
        do_set_contact_attributes(admin_user, ticket.contact_id, {"city": "Tabriz"})
    assert TicketEvent.objects.filter(ticket=ticket, type="sla.applied").count() == 2


@pytest.mark.embedded
def test_it_reselects_when_a_ticket_attribute_changes(
    email_inbox_a: Inbox, new_ticket: NewTicket, admin_user: Any
) -> None:
    from helpdesk.actions.attributes import do_set_ticket_attributes

    field = {"field": "ticket.attribute", "name": "contract", "op": "is", "value": "premium"}
    make_policy("Premium", position=0, first=15, conditions=[field])
    make_policy("Standard", position=1)
    ticket = new_ticket(email_inbox_a)
    assert _policy_of(ticket) == "Standard"
    do_set_ticket_attributes(admin_user, ticket.pk, {"contract": "premium"})
    assert _policy_of(ticket) == "Premium"
    applied = TicketEvent.objects.filter(ticket=ticket, type="sla.applied").last()
    assert applied is not None and applied.payload["reason"] == "attributes"


def test_it_lets_a_segment_of_attributes_select_the_policy(
    email_inbox_a: Inbox, new_ticket: NewTicket
) -> None:
    """PostgreSQL: the segment's own attribute filter (JSON containment) decides."""
    gold = Segment.objects.create(
        name="Gold plans", definition={"attributes": [{"key": "plan", "value": "gold"}]}
    )
    make_policy("Gold", position=0).segments.set([gold])
    make_policy("Standard", position=1)
    first = new_ticket(email_inbox_a, sender="g@example.com")
    _set_attributes(first, plan="gold")
    other = new_ticket(email_inbox_a, sender="s@example.com")
    assert _policy_of(other) == "Standard"
    again = new_ticket(email_inbox_a, sender="g@example.com")
    assert _policy_of(again) == "Gold"


def _run_enqueued(segment_id: int) -> None:
    """The saved segment enqueued its task (the worker's run is the task framework's)."""
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path=reapply_segment.module_path)
    assert queued.ready().count() == 1
    queued.delete()
    reapply_segment.call(segment_id)


def _minutes(n: int) -> Any:
    from datetime import timedelta

    return timedelta(minutes=n)
