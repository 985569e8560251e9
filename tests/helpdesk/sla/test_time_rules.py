"""Time rules fire once per ticket state, act through the actions, and are logged on the ticket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.actions.messages import do_reply
from helpdesk.actions.tickets import do_assign, do_set_status
from helpdesk.models import AssignmentMode, AssignmentPolicy, Presence, Ticket, TicketEvent
from helpdesk.sla.models import TimeRule, TimeRuleRun, TimeTrigger
from helpdesk.sla.scheduler import tick
from helpdesk.sla.timerules import run_time_rules
from tests.helpdesk.sla.conftest import Clock, make_policy

pytestmark = [pytest.mark.django_db]


def rule(trigger: str, amount: int, actions: list[dict[str, Any]], **kw: Any) -> TimeRule:
    return TimeRule.objects.create(
        name=f"{trigger} {amount}", trigger=trigger, amount=amount, actions=actions, **kw
    )


def fired(ticket: Ticket) -> list[str]:
    return [
        e.payload["rule"]
        for e in TicketEvent.objects.filter(ticket=ticket, type="automation.time_rule_fired")
    ]


def test_unassigned_for_n_minutes_assigns_round_robin_once(
    email_inbox_a: Any,
    agent_a: Any,
    agent_a2: Any,
    team_a: Any,
    new_ticket: Callable[..., Ticket],
    clock: Clock,
) -> None:
    for user in (agent_a, agent_a2):
        user.agent.presence = Presence.ONLINE
        user.agent.save(update_fields=["presence"])
    AssignmentPolicy.objects.create(team=team_a, mode=AssignmentMode.OFF)
    rule(TimeTrigger.UNASSIGNED, 30, [{"type": "assign", "mode": "round_robin"}])
    first, second = new_ticket(email_inbox_a), new_ticket(email_inbox_a)
    clock.advance(minutes=29)
    assert run_time_rules(clock.now) == 0
    clock.advance(minutes=2)
    assert run_time_rules(clock.now) == 2
    assert run_time_rules(clock.advance(minutes=5)) == 0  # once per state
    owners = {Ticket.objects.get(pk=t.pk).assignee_id for t in (first, second)}
    assert owners == {agent_a.pk, agent_a2.pk}  # round robin, not both to one
    assert fired(first) == ["unassigned 30"]


def test_unassigned_again_later_is_a_new_state_and_fires_again(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    rule(TimeTrigger.UNASSIGNED, 10, [{"type": "add_tag", "tag": "stale"}])
    ticket = new_ticket(email_inbox_a)
    assert run_time_rules(clock.advance(minutes=11)) == 1
    do_assign(agent_a, ticket.pk, agent_a.pk)
    do_assign(agent_a, ticket.pk, None)
    assert run_time_rules(clock.advance(minutes=5)) == 0
    assert run_time_rules(clock.advance(minutes=6)) == 1
    assert len(fired(ticket)) == 2


def test_customer_waiting_raises_priority_once_per_wait(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    rule(TimeTrigger.CUSTOMER_WAITING, 60, [{"type": "raise_priority"}])
    ticket = new_ticket(email_inbox_a, sender="w@example.com")
    assert run_time_rules(clock.advance(minutes=61)) == 1
    assert run_time_rules(clock.advance(minutes=61)) == 0
    assert Ticket.objects.get(pk=ticket.pk).priority == 3
    do_reply(agent_a, ticket.pk, "On it")
    new_ticket(email_inbox_a, sender="w@example.com", ticket_number=ticket.pk)
    assert run_time_rules(clock.advance(minutes=61)) == 1
    assert Ticket.objects.get(pk=ticket.pk).priority == 4


def test_pending_with_no_reply_for_n_days_resolves(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    rule(TimeTrigger.PENDING_NO_REPLY, 3, [{"type": "resolve"}])
    ticket = new_ticket(email_inbox_a)
    do_reply(agent_a, ticket.pk, "Did that help?")  # pending now
    assert run_time_rules(clock.advance(days=2)) == 0
    assert run_time_rules(clock.advance(days=1, minutes=1)) == 1
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"


def test_pending_with_no_reply_sends_a_message_and_a_reply_template_once(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    from helpdesk.macros.models import Macro
    from helpdesk.models import Message

    macro = Macro.objects.create(name="Nudge", reply_template="Still there, {{contact.name}}?")
    text = {"en": "Ticket {{ticket.number}}: we are waiting for you.", "fa": "منتظر شما هستیم."}
    rule(
        TimeTrigger.PENDING_NO_REPLY,
        1,
        [
            {"type": "send_message", "template": text},
            {"type": "send_template", "macro_id": macro.pk},
        ],
    )
    ticket = new_ticket(email_inbox_a, name="Leila")
    do_reply(agent_a, ticket.pk, "Did that help?")  # pending now
    assert run_time_rules(clock.advance(days=1, minutes=1)) == 1
    assert run_time_rules(clock.advance(days=1)) == 0  # once per pending state
    sent = Message.objects.filter(ticket=ticket, author_kind="system").order_by("id")
    assert [m.text for m in sent] == [
        f"Ticket {ticket.number}: we are waiting for you.",
        "Still there, Leila?",
    ]


def test_a_notify_action_tells_the_supervisors_with_a_time_rule_notice(
    email_inbox_a: Any,
    agent_a: Any,
    supervisor_a: Any,
    new_ticket: Callable[..., Ticket],
    clock: Clock,
) -> None:
    from helpdesk.notifications.models import Notification

    rule(TimeTrigger.UNASSIGNED, 30, [{"type": "notify", "who": "supervisors"}])
    ticket = new_ticket(email_inbox_a)
    assert run_time_rules(clock.advance(minutes=31)) == 1
    assert run_time_rules(clock.advance(minutes=31)) == 0
    told = Notification.objects.filter(ticket=ticket)
    assert list(told.values_list("recipient_id", "kind")) == [(supervisor_a.pk, "time_rule")]
    assert told.get().title == f"unassigned 30: #{ticket.pk}"


def test_sla_due_in_n_minutes_and_breached_rules(
    email_inbox_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy(first=60)
    rule(TimeTrigger.SLA_DUE, 15, [{"type": "set_priority", "priority": 3}])
    rule(TimeTrigger.SLA_BREACHED, 0, [{"type": "add_tag", "tag": "breached"}])
    run_time_rules(clock.now)  # the rule's first look
    ticket = new_ticket(email_inbox_a)
    assert run_time_rules(clock.advance(minutes=40)) == 0
    assert run_time_rules(clock.advance(minutes=6)) == 1
    assert Ticket.objects.get(pk=ticket.pk).priority == 3
    tick(clock.advance(minutes=15))
    assert Ticket.objects.get(pk=ticket.pk).tags == ["breached"]
    assert fired(ticket) == ["sla_due 15", "sla_breached 0"]


def test_a_rule_whose_conditions_do_not_hold_does_not_fire_and_is_not_checked_again(
    email_inbox_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    rule(
        TimeTrigger.UNASSIGNED,
        5,
        [{"type": "add_tag", "tag": "x"}],
        conditions=[{"field": "priority", "op": "is", "value": 4}],
    )
    ticket = new_ticket(email_inbox_a)
    assert run_time_rules(clock.advance(minutes=6)) == 0
    assert TimeRuleRun.objects.get(ticket=ticket).fired is False
    assert fired(ticket) == []


def test_a_resolved_ticket_is_not_waited_on(
    email_inbox_a: Any, agent_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    rule(TimeTrigger.UNASSIGNED, 5, [{"type": "add_tag", "tag": "x"}])
    ticket = new_ticket(email_inbox_a)
    do_set_status(agent_a, ticket.pk, "resolved")
    assert run_time_rules(clock.advance(minutes=6)) == 0
    assert fired(ticket) == []


def test_a_due_time_that_starts_inside_the_window_still_fires(
    email_inbox_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    make_policy(first=10)
    rule(TimeTrigger.SLA_DUE, 15, [{"type": "add_tag", "tag": "soon"}])
    run_time_rules(clock.now)  # looked up to now + 15 minutes
    ticket = new_ticket(email_inbox_a)  # due in 10: inside what was looked at
    assert run_time_rules(clock.advance(minutes=1)) == 1
    assert run_time_rules(clock.advance(minutes=1)) == 0
    assert Ticket.objects.get(pk=ticket.pk).tags == ["soon"]


def test_a_rule_in_business_time_waits_for_opening_hours(
    email_inbox_a: Any, new_ticket: Callable[..., Ticket], clock: Clock
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from helpdesk.models import BusinessHours

    day = [["08:00", "17:00"]]
    hours = BusinessHours.objects.create(
        name="Office", weekly={d: day for d in ("sat", "sun", "mon", "tue", "wed", "thu", "fri")}
    )
    rule(TimeTrigger.UNASSIGNED, 30, [{"type": "add_tag", "tag": "late"}], business_hours=hours)
    clock.now = datetime(2026, 12, 5, 2, 0, tzinfo=ZoneInfo("Asia/Tehran"))
    ticket = new_ticket(email_inbox_a)  # unassigned at 02:00, the office is closed
    clock.now = datetime(2026, 12, 5, 8, 29, tzinfo=ZoneInfo("Asia/Tehran"))
    assert run_time_rules(clock.now) == 0  # 29 open minutes so far
    assert run_time_rules(clock.advance(minutes=2)) == 1
    assert Ticket.objects.get(pk=ticket.pk).tags == ["late"]
