"""Macros: a named sequence of ticket actions, applied to one ticket or in bulk."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.actions.errors import NotFound
from helpdesk.macros.apply import apply_macro, apply_macro_bulk, visible_macros
from helpdesk.macros.models import AssignTo, Macro
from helpdesk.models import Direction, Inbox, Message, Priority, Ticket, TicketEvent, TicketStatus
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db


def _refund_macro(**fields: Any) -> Macro:
    return Macro.objects.create(
        name="Refund sent",
        reply_template="Dear {{contact.name}}, your refund for #{{ticket.number}} is on its way.",
        note_template="Refund approved by {{agent.name}}",
        add_tags="refund, billing",
        priority=Priority.HIGH,
        assign=AssignTo.ME,
        status=TicketStatus.RESOLVED,
        **fields,
    )


def test_it_applies_every_step_with_placeholders_and_records_each_event(
    email_inbox_a: Inbox, agent_a: Any
) -> None:
    ticket = open_ticket(email_inbox_a, name="Maryam Ahmadi")
    macro = _refund_macro()
    before = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    apply_macro(agent_a, macro.pk, ticket.pk)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.assignee_id == agent_a.pk
    assert ticket.tags == ["billing", "refund"] and ticket.priority == Priority.HIGH
    assert ticket.status == TicketStatus.RESOLVED
    reply = Message.objects.get(ticket=ticket, direction=Direction.OUTBOUND)
    assert reply.text == f"Dear Maryam Ahmadi, your refund for #{ticket.pk} is on its way."
    note = Message.objects.get(ticket=ticket, direction=Direction.NOTE)
    assert note.text == "Refund approved by Alice"
    types = list(TicketEvent.objects.filter(id__gt=before).values_list("type", flat=True))
    assert types == [
        "ticket.assigned",
        "ticket.tags_changed",
        "ticket.priority_changed",
        "message.created",
        "message.created",
        "ticket.status_changed",
    ]


def test_it_applies_nothing_when_a_step_is_refused(
    email_inbox_a: Inbox, agent_a: Any, agent_a2: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    # Assigning someone else needs a supervisor: the whole macro rolls back.
    macro = Macro.objects.create(
        name="Give to Bob", add_tags="x", assign=AssignTo.AGENT, assignee=agent_a2
    )
    before = TicketEvent.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - Forbidden, an ActionError
        apply_macro(agent_a, macro.pk, ticket.pk)
    assert TicketEvent.objects.count() == before
    assert Ticket.objects.get(pk=ticket.pk).tags == []


def test_it_applies_in_bulk_and_reports_refusals_per_ticket(
    email_inbox_a: Inbox, email_inbox_b: Inbox, agent_a: Any
) -> None:
    mine = [open_ticket(email_inbox_a, sender=f"c{i}@example.com") for i in range(3)]
    other = open_ticket(email_inbox_b)
    macro = Macro.objects.create(name="Spam", add_tags="spam", status=TicketStatus.CLOSED)
    result = apply_macro_bulk(agent_a, macro.pk, [t.pk for t in mine] + [other.pk])
    assert result.done == [t.pk for t in mine]
    assert list(result.failed) == [other.pk]
    closed = Ticket.objects.filter(status=TicketStatus.CLOSED, tags__contains=["spam"])
    assert set(closed.values_list("id", flat=True)) == {t.pk for t in mine}


def test_it_shows_shared_team_and_own_personal_macros_only(
    agent_a: Any, agent_a2: Any, agent_b: Any, team_a: Any, team_b: Any
) -> None:
    shared = Macro.objects.create(name="Everyone")
    team_only = Macro.objects.create(name="Team A", shared_with_team=team_a)
    Macro.objects.create(name="Team B", shared_with_team=team_b)
    personal = Macro.objects.create(name="Alice's", owner=agent_a)
    assert set(visible_macros(agent_a)) == {shared, team_only, personal}
    assert set(visible_macros(agent_a2)) == {shared, team_only}
    assert personal not in set(visible_macros(agent_b))
    ticket_b = open_ticket(Inbox.objects.create(kind="email", name="b", team=team_b))
    with pytest.raises(NotFound):
        apply_macro(agent_b, personal.pk, ticket_b.pk)
