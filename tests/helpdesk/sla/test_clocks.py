"""The clocks of a ticket: applied, met, breached, paused, resumed, stopped, reopened, merged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from helpdesk.actions.automatic import do_send_automatic
from helpdesk.actions.messages import do_add_note, do_reply
from helpdesk.actions.tickets import (
    do_merge_tickets,
    do_set_priority,
    do_set_status,
    do_set_team,
)
from helpdesk.models import Ticket, TicketEvent
from helpdesk.sla import notify
from helpdesk.sla.models import SlaStatus, TicketSla
from helpdesk.sla.scheduler import tick
from tests.helpdesk.sla.conftest import Clock, make_policy

pytestmark = [pytest.mark.django_db]


def sla(ticket: Ticket) -> TicketSla:
    return TicketSla.objects.get(pk=ticket.pk)


def types(ticket: Ticket, prefix: str = "sla.") -> list[str]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, type__startswith=prefix)
        .order_by("id")
        .values_list("type", flat=True)
    )


def test_it_applies_the_first_policy_in_order_whose_conditions_hold(
    email_inbox_a: Any, telegram_inbox_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy(
        "Telegram",
        position=1,
        first=15,
        conditions=[{"field": "channel", "op": "is", "value": "telegram"}],
    )
    make_policy("Everything else", position=2, first=60)
    make_policy("Never reached", position=3, first=5)
    chat = new_ticket(telegram_inbox_a)
    mail = new_ticket(email_inbox_a)
    assert sla(chat).policy_name == "Telegram"
    assert sla(chat).first_response_due_at == chat.created_at + timedelta(minutes=15)
    assert sla(mail).policy_name == "Everything else"
    assert sla(mail).first_response_due_at == mail.created_at + timedelta(minutes=60)
    assert sla(mail).resolution_due_at == mail.created_at + timedelta(minutes=480)
    assert sla(mail).status == SlaStatus.ACTIVE
    assert types(mail) == ["sla.applied"]


def test_a_ticket_no_policy_covers_has_no_clocks(
    email_inbox_a: Any, new_ticket: Callable[..., Ticket]
) -> None:
    make_policy("VIP", conditions=[{"field": "tags", "op": "contains", "value": "vip"}])
    row = sla(new_ticket(email_inbox_a))
    assert row.policy is None
    assert row.status == SlaStatus.NONE
    assert row.next_due_at is None


def test_an_agent_reply_meets_the_first_response_but_auto_replies_and_notes_do_not(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy()
    ticket = new_ticket(email_inbox_a)
    do_send_automatic(ticket.pk, "We got your message", reason="acknowledgement")
    do_add_note(agent_a, ticket.pk, "looking into it")
    assert sla(ticket).first_response_state == "active"
    clock.advance(minutes=10)
    do_reply(agent_a, ticket.pk, "Here is the answer")
    row = sla(ticket)
    assert row.first_response_state == "met"
    assert row.next_response_state == ""
    # The reply made the ticket pending: only resolution is left, paused.
    assert row.resolution_state == "paused" and row.next_due_at is None
    clock.advance(minutes=61)
    assert tick(clock.now)["sla_breached"] == 0


def test_an_overdue_first_response_is_breached_once_and_recorded_on_the_ticket(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy(first=30)
    told: list[notify.SlaNotice] = []
    notify.notifiers.append(told.append)
    try:
        ticket = new_ticket(email_inbox_a)
        due = sla(ticket).first_response_due_at
        assert due is not None
        assert tick(due - timedelta(seconds=1))["sla_breached"] == 0
        assert tick(due)["sla_breached"] == 1
        assert tick(due + timedelta(seconds=5))["sla_breached"] == 0
    finally:
        notify.notifiers.remove(told.append)
    row = sla(ticket)
    assert row.status == SlaStatus.BREACHED
    assert row.breaches == [{"target": "first_response", "at": due.isoformat()}]
    breached = TicketEvent.objects.get(ticket=ticket, type="sla.breached")
    assert breached.payload["target"] == "first_response"
    assert [n.kind for n in told if n.kind == "sla_breached"] == ["sla_breached"]
    assert agent_a.pk in told[-1].recipients  # unassigned: the team is told
    # A late answer meets it; the breach stays in the history.
    do_reply(agent_a, ticket.pk, "Sorry for the wait")
    row = sla(ticket)
    assert row.first_response_state == "met"
    # The reply made the ticket pending: resolution waits on the customer.
    assert row.breaches and row.status == SlaStatus.PAUSED


def test_pending_pauses_the_clocks_and_open_resumes_them_with_what_was_left(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy(first=60, resolution=120)
    ticket = new_ticket(email_inbox_a)
    clock.advance(minutes=20)
    do_set_status(agent_a, ticket.pk, "pending")
    row = sla(ticket)
    assert row.status == SlaStatus.PAUSED
    assert row.first_response_state == "paused" and row.next_due_at is None
    assert row.first_response_left == 40 * 60
    clock.advance(hours=5)  # waiting on the customer costs nothing
    assert tick(clock.now)["sla_breached"] == 0
    do_set_status(agent_a, ticket.pk, "open")
    row = sla(ticket)
    assert row.first_response_due_at == clock.now + timedelta(minutes=40)
    assert row.resolution_due_at == clock.now + timedelta(minutes=100)
    assert row.status == SlaStatus.ACTIVE


def test_snoozing_pauses_and_waking_resumes(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy(first=60)
    ticket = new_ticket(email_inbox_a)
    do_set_status(agent_a, ticket.pk, "snoozed", snoozed_until=clock.now + timedelta(hours=1))
    assert sla(ticket).first_response_state == "paused"
    clock.advance(hours=2)
    do_set_status(agent_a, ticket.pk, "open")
    assert sla(ticket).first_response_due_at == clock.now + timedelta(minutes=60)


def test_resolve_stops_every_clock_and_reopen_starts_next_response_again(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy(first=60, nxt=30, resolution=240)
    ticket = new_ticket(email_inbox_a)
    clock.advance(minutes=5)
    do_set_status(agent_a, ticket.pk, "resolved")
    row = sla(ticket)
    assert row.first_response_state == "stopped"
    assert row.resolution_state == "met"
    assert row.next_due_at is None and row.status == SlaStatus.MET
    clock.advance(days=2)
    assert tick(clock.now)["sla_breached"] == 0
    do_set_status(agent_a, ticket.pk, "open")
    row = sla(ticket)
    assert row.next_response_state == "active"
    assert row.next_response_due_at == clock.now + timedelta(minutes=30)
    assert row.resolution_due_at == clock.now + timedelta(minutes=240)


def test_a_customer_message_after_a_reply_starts_next_response(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy(first=60, nxt=30)
    ticket = new_ticket(email_inbox_a, sender="pat@example.com")
    do_reply(agent_a, ticket.pk, "What is your order number?")
    clock.advance(minutes=10)
    again = new_ticket(email_inbox_a, sender="pat@example.com", ticket_number=ticket.pk)
    assert again.pk == ticket.pk
    row = sla(ticket)
    assert row.next_response_state == "active"
    assert row.next_response_due_at == clock.now + timedelta(minutes=30)
    assert tick(clock.now + timedelta(minutes=31))["sla_breached"] == 1
    assert sla(ticket).next_response_state == "breached"
    do_reply(agent_a, ticket.pk, "Thanks")
    assert sla(ticket).next_response_state == "met"


def test_raising_the_priority_applies_the_tighter_targets_and_keeps_the_history(
    email_inbox_a: Any,
    agent_a: Any,
    supervisor_a: Any,
    new_ticket: Callable[..., Ticket],
    clock: Clock,
    team_b: Any,
) -> None:
    make_policy(
        "Urgent",
        position=1,
        first=30,
        conditions=[{"field": "priority", "op": "is", "value": 4}],
    )
    make_policy("Normal", position=2, first=240, priorities=(1, 2, 3))
    make_policy(
        "Team B",
        position=0,
        first=600,
        conditions=[{"field": "team", "op": "is", "value": team_b.pk}],
    )
    ticket = new_ticket(email_inbox_a)
    assert sla(ticket).policy_name == "Normal"
    clock.advance(minutes=20)
    do_set_priority(agent_a, ticket.pk, 4)
    row = sla(ticket)
    # 20 minutes were spent; 10 are left of the urgent 30.
    assert row.policy_name == "Urgent"
    assert row.first_response_due_at == clock.now + timedelta(minutes=10)
    do_set_team(supervisor_a, ticket.pk, team_b.pk)
    assert sla(ticket).policy_name == "Team B"
    applied = TicketEvent.objects.filter(ticket=ticket, type="sla.applied").order_by("id")
    assert [
        (e.payload["previous_policy"], e.payload["policy"], e.payload["reason"]) for e in applied
    ] == [
        (None, "Normal", "created"),
        ("Normal", "Urgent", "priority"),
        ("Urgent", "Team B", "team"),
    ]


def test_a_merge_leaves_the_surviving_ticket_the_earliest_clocks(
    email_inbox_a: Any, supervisor_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy(first=60, resolution=480)
    older = new_ticket(email_inbox_a, sender="a@example.com")
    clock.advance(minutes=30)
    newer = new_ticket(email_inbox_a, sender="b@example.com")
    do_merge_tickets(supervisor_a, older.pk, newer.pk)  # the older one is merged away
    survivor, merged = sla(newer), sla(older)
    assert survivor.first_response_due_at == older.created_at + timedelta(minutes=60)
    assert survivor.resolution_due_at == older.created_at + timedelta(minutes=480)
    assert merged.next_due_at is None and merged.first_response_state == "stopped"
    assert tick(older.created_at + timedelta(minutes=61))["sla_breached"] == 1
    assert TicketEvent.objects.filter(ticket=newer, type="sla.breached").count() == 1


def test_due_soon_is_warned_once_per_due_time(
    email_inbox_a: Any, new_ticket: Callable[..., Ticket], clock: Clock, settings: Any
) -> None:
    settings.HELPDESK_SLA_DUE_SOON_MINUTES = 15
    make_policy(first=60)
    ticket = new_ticket(email_inbox_a)
    due = sla(ticket).first_response_due_at
    assert due is not None
    assert tick(due - timedelta(minutes=16))["sla_warned"] == 0
    assert tick(due - timedelta(minutes=14))["sla_warned"] == 1
    assert tick(due - timedelta(minutes=13))["sla_warned"] == 0
    assert types(ticket) == ["sla.applied", "sla.due_soon"]
