"""Ticket actions: effect, event, version, optimistic concurrency, permissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions import tickets as actions
from helpdesk.actions.errors import Conflict, Forbidden, Invalid, NotFound
from helpdesk.actions.messages import do_add_note, do_reply
from helpdesk.models import Message, Priority, Ticket, TicketEvent, TicketStatus
from tests.factories import make_user
from tests.helpdesk.actions_helpers import events_of, fresh, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def ticket(email_inbox_a: Any) -> Ticket:
    return open_ticket(email_inbox_a, subject="Printer on fire")


def test_it_lets_an_agent_claim_an_unassigned_ticket(ticket: Ticket, agent_a: Any) -> None:
    actions.do_claim(agent_a, ticket.pk)
    after = fresh(ticket)
    assert after.assignee_id == agent_a.pk
    assert after.status == TicketStatus.OPEN  # claiming a new ticket opens it
    assert after.version == ticket.version + 1
    assert events_of(ticket, "ticket.assigned") == [
        {"ticket_id": ticket.pk, "assignee_id": agent_a.pk, "previous_assignee_id": None}
    ]


def test_it_lets_an_agent_unassign_themselves(ticket: Ticket, agent_a: Any) -> None:
    actions.do_claim(agent_a, ticket.pk)
    actions.do_unassign(agent_a, ticket.pk)
    assert fresh(ticket).assignee_id is None
    assert events_of(ticket, "ticket.assigned")[-1] == {
        "ticket_id": ticket.pk,
        "assignee_id": None,
        "previous_assignee_id": agent_a.pk,
    }


def test_it_forbids_a_plain_agent_to_assign_someone_else(
    ticket: Ticket, agent_a: Any, agent_a2: Any
) -> None:
    with pytest.raises(Forbidden):
        actions.do_assign(agent_a, ticket.pk, agent_a2.pk)
    assert fresh(ticket).assignee_id is None
    assert events_of(ticket, "ticket.assigned") == []


def test_it_forbids_a_plain_agent_to_take_or_drop_a_colleagues_ticket(
    ticket: Ticket, agent_a: Any, agent_a2: Any
) -> None:
    actions.do_claim(agent_a2, ticket.pk)
    with pytest.raises(Forbidden):
        actions.do_claim(agent_a, ticket.pk)
    with pytest.raises(Forbidden):
        actions.do_unassign(agent_a, ticket.pk)
    assert fresh(ticket).assignee_id == agent_a2.pk


def test_it_lets_a_supervisor_assign_within_the_team(
    ticket: Ticket, supervisor_a: Any, agent_a: Any, agent_a2: Any
) -> None:
    actions.do_assign(supervisor_a, ticket.pk, agent_a.pk)
    actions.do_assign(supervisor_a, ticket.pk, agent_a2.pk)
    assert fresh(ticket).assignee_id == agent_a2.pk
    assert events_of(ticket, "ticket.assigned")[-1]["previous_assignee_id"] == agent_a.pk


def test_it_refuses_an_assignee_outside_the_tickets_team(
    ticket: Ticket, supervisor_a: Any, agent_b: Any
) -> None:
    with pytest.raises(Invalid) as refused:
        actions.do_assign(supervisor_a, ticket.pk, agent_b.pk)
    assert refused.value.field == "assignee_id"
    with pytest.raises(Invalid):
        actions.do_assign(supervisor_a, ticket.pk, 999_999)


def test_it_lets_an_admin_assign_anyone_who_can_read_the_ticket(
    ticket: Ticket, admin_user: Any, agent_a: Any
) -> None:
    actions.do_assign(admin_user, ticket.pk, agent_a.pk)
    assert fresh(ticket).assignee_id == agent_a.pk


def test_it_changes_the_status_and_records_the_previous_one(ticket: Ticket, agent_a: Any) -> None:
    actions.do_set_status(agent_a, ticket.pk, TicketStatus.RESOLVED)
    after = fresh(ticket)
    assert after.status == TicketStatus.RESOLVED and after.resolved_at is not None
    assert after.version == ticket.version + 1
    assert events_of(ticket, "ticket.status_changed") == [
        {
            "ticket_id": ticket.pk,
            "status": "resolved",
            "previous_status": "new",
            "snoozed_until": None,
        }
    ]
    actions.do_set_status(agent_a, ticket.pk, TicketStatus.RESOLVED)  # no change, no event
    assert len(events_of(ticket, "ticket.status_changed")) == 1
    with pytest.raises(Invalid):
        actions.do_set_status(agent_a, ticket.pk, "deleted")


def test_it_snoozes_until_a_future_time(ticket: Ticket, agent_a: Any) -> None:
    until = timezone.now() + timedelta(hours=3)
    actions.do_snooze(agent_a, ticket.pk, until)
    after = fresh(ticket)
    assert after.status == TicketStatus.SNOOZED and after.snoozed_until == until
    payload = events_of(ticket, "ticket.status_changed")[-1]
    assert payload["snoozed_until"] == until.isoformat().replace("+00:00", "Z")
    with pytest.raises(Invalid):
        actions.do_snooze(agent_a, ticket.pk, timezone.now() - timedelta(minutes=1))
    with pytest.raises(Invalid):  # a naive time is refused, not a crash
        actions.do_snooze(agent_a, ticket.pk, until.replace(tzinfo=None))


def test_it_changes_the_priority(ticket: Ticket, agent_a: Any) -> None:
    actions.do_set_priority(agent_a, ticket.pk, Priority.URGENT)
    assert fresh(ticket).priority == Priority.URGENT
    assert fresh(ticket).version == ticket.version + 1
    assert events_of(ticket, "ticket.priority_changed") == [
        {"ticket_id": ticket.pk, "priority": 4, "previous_priority": 2}
    ]
    with pytest.raises(Invalid):
        actions.do_set_priority(agent_a, ticket.pk, 9)


def test_it_normalizes_tags(ticket: Ticket, agent_a: Any) -> None:
    actions.do_set_tags(agent_a, ticket.pk, [" Billing", "فوری", "billing", ""])
    assert fresh(ticket).tags == ["billing", "فوری"]
    assert events_of(ticket, "ticket.tags_changed") == [
        {"ticket_id": ticket.pk, "tags": ["billing", "فوری"]}
    ]
    with pytest.raises(Invalid):
        actions.do_set_tags(agent_a, ticket.pk, [f"t{i}" for i in range(31)])
    with pytest.raises(Invalid):
        actions.do_set_tags(agent_a, ticket.pk, ["x" * 51])
    with pytest.raises(Invalid):
        actions.do_set_tags(agent_a, ticket.pk, [1, 2])  # type: ignore[list-item]


CONFLICTING: dict[str, Callable[[Any, int, int], object]] = {
    "assign": lambda user, pk, v: actions.do_assign(user, pk, user.pk, expected_version=v),
    "status": lambda user, pk, v: actions.do_set_status(user, pk, "open", expected_version=v),
    "priority": lambda user, pk, v: actions.do_set_priority(user, pk, 3, expected_version=v),
    "tags": lambda user, pk, v: actions.do_set_tags(user, pk, ["a"], expected_version=v),
    "reply": lambda user, pk, v: do_reply(user, pk, "hi", expected_version=v),
}


@pytest.mark.parametrize("action", CONFLICTING)
def test_it_refuses_a_change_based_on_a_stale_version(
    ticket: Ticket, agent_a: Any, action: str
) -> None:
    stale = ticket.version
    do_add_note(agent_a, ticket.pk, "someone else got here first")
    events_before = TicketEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        CONFLICTING[action](agent_a, ticket.pk, stale)
    assert refused.value.status == 409 and refused.value.field == "version"
    assert TicketEvent.objects.count() == events_before
    CONFLICTING[action](agent_a, ticket.pk, fresh(ticket).version)  # the current one works


EVERY_ACTION: dict[str, Callable[[Any, int], object]] = {
    "claim": lambda user, pk: actions.do_claim(user, pk),
    "unassign": lambda user, pk: actions.do_unassign(user, pk),
    "status": lambda user, pk: actions.do_set_status(user, pk, "open"),
    "snooze": lambda user, pk: actions.do_snooze(user, pk, timezone.now() + timedelta(days=1)),
    "priority": lambda user, pk: actions.do_set_priority(user, pk, 3),
    "tags": lambda user, pk: actions.do_set_tags(user, pk, ["x"]),
    "reply": lambda user, pk: do_reply(user, pk, "hello"),
    "note": lambda user, pk: do_add_note(user, pk, "psst"),
}


@pytest.mark.parametrize("action", EVERY_ACTION)
def test_it_hides_a_ticket_from_another_teams_agent(
    ticket: Ticket, agent_b: Any, action: str
) -> None:
    with pytest.raises(NotFound):
        EVERY_ACTION[action](agent_b, ticket.pk)
    assert fresh(ticket).version == ticket.version
    with pytest.raises(NotFound):
        EVERY_ACTION[action](agent_b, 999_999)


@pytest.mark.parametrize("action", EVERY_ACTION)
def test_it_lets_an_admin_do_everything(ticket: Ticket, admin_user: Any, action: str) -> None:
    EVERY_ACTION[action](admin_user, ticket.pk)


def test_it_refuses_a_user_without_an_agent_profile(ticket: Ticket) -> None:
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user(username="nobody", password="x")
    with pytest.raises(NotFound):
        actions.do_claim(stranger, ticket.pk)


def test_it_merges_two_tickets(email_inbox_a: Any, supervisor_a: Any, agent_a: Any) -> None:
    source = open_ticket(email_inbox_a, subject="one")
    target = open_ticket(email_inbox_a, subject="two")
    with pytest.raises(Forbidden):
        actions.do_merge_tickets(agent_a, source.pk, target.pk)
    actions.do_merge_tickets(supervisor_a, source.pk, target.pk)
    merged, kept = fresh(source), fresh(target)
    assert merged.merged_into_id == target.pk and merged.status == TicketStatus.CLOSED
    assert Message.objects.filter(ticket=kept).count() == 2
    assert kept.version == target.version + 1 and merged.version == source.version + 1
    assert source.last_customer_message_at and target.last_customer_message_at
    assert kept.last_customer_message_at == max(
        source.last_customer_message_at, target.last_customer_message_at
    )
    payload = {"ticket_id": source.pk, "merged_into": target.pk, "moved_messages": 1}
    assert events_of(merged, "ticket.merged") == [payload]
    assert events_of(kept, "ticket.merged") == [payload]
    with pytest.raises(Invalid):
        actions.do_merge_tickets(supervisor_a, source.pk, target.pk)  # already merged
    with pytest.raises(Invalid):
        actions.do_merge_tickets(supervisor_a, target.pk, target.pk)
    third = open_ticket(email_inbox_a, subject="three")
    with pytest.raises(Invalid):
        actions.do_merge_tickets(supervisor_a, third.pk, source.pk)  # into a merged one


def test_it_keeps_a_supervisor_to_their_own_teams_tickets(
    email_inbox_a: Any, email_inbox_b: Any, supervisor_a: Any, admin_user: Any
) -> None:
    mine = open_ticket(email_inbox_a)
    theirs = open_ticket(email_inbox_b)
    with pytest.raises(NotFound):
        actions.do_merge_tickets(supervisor_a, mine.pk, theirs.pk)
    with pytest.raises(NotFound):
        actions.do_assign(supervisor_a, theirs.pk, None)
    actions.do_merge_tickets(admin_user, theirs.pk, mine.pk)
    assert fresh(theirs).merged_into_id == mine.pk


def test_it_lets_a_supervisor_of_two_teams_assign_in_both(
    email_inbox_a: Any, email_inbox_b: Any, team_a: Any, team_b: Any, agent_b: Any
) -> None:
    boss = make_user("boss", role="supervisor", teams=[team_a, team_b])
    theirs = open_ticket(email_inbox_b)
    actions.do_assign(boss, theirs.pk, agent_b.pk)
    assert fresh(theirs).assignee_id == agent_b.pk
