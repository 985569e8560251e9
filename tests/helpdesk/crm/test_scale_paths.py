"""The shapes behind the contacts' figures at a million (issue 19, docs/BENCHMARKS.md):
the "has open tickets" count read from the tickets' side gives the same number as the
members, and the indexes added for the lists answer the lookups they were made for."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from channels_in.telegram.models import TelegramChat
from helpdesk.crm import segments
from helpdesk.crm.visibility import readable_contacts
from helpdesk.ingest import receive
from helpdesk.models import Contact, Segment, Ticket, TicketStatus
from helpdesk.staff.access import visible_contacts
from tests import factories

pytestmark = pytest.mark.django_db


def _ticket(inbox: Any, sender: str, status: str) -> Contact:
    ticket = receive(factories.inbound(inbox, sender=sender, name=sender)).ticket
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    return ticket.contact


@pytest.mark.embedded
def test_it_counts_contacts_with_open_tickets_once_and_never_a_merged_one(
    team_a: Any, team_b: Any, agent_a: Any, admin_user: Any
) -> None:
    inbox_a, inbox_b = factories.make_inbox(team_a), factories.make_inbox(team_b)
    twice = _ticket(inbox_a, "twice@example.com", TicketStatus.OPEN)
    _ticket(inbox_a, "twice2@example.com", TicketStatus.PENDING)
    Ticket.objects.filter(contact__name="twice2@example.com").update(contact=twice)
    _ticket(inbox_a, "closed@example.com", TicketStatus.CLOSED)
    merged = _ticket(inbox_a, "merged@example.com", TicketStatus.OPEN)
    Contact.objects.filter(pk=merged.pk).update(merged_into=twice)
    _ticket(inbox_b, "other@example.com", TicketStatus.SNOOZED)
    Contact.objects.create(name="No ticket")
    segment = Segment.objects.create(name="Open", definition={"has_open_tickets": True})

    members = set(segments.members(segment).values_list("name", flat=True))
    assert members == {"twice@example.com", "other@example.com"}
    assert segments.count(segment) == 2  # from the tickets' side
    assert segments.count(segment, readable_contacts(admin_user)) == 2
    assert segments.count(segment, readable_contacts(agent_a)) == 1  # team A's only
    assert segments.count(segment, visible_contacts(agent_a)) == 1
    segment.definition = {"has_open_tickets": True, "tags": ["vip"]}
    assert segments.count(segment) == 0  # any other condition: the members' count


@pytest.mark.postgres
def test_it_answers_the_list_lookups_from_their_indexes(team_a: Any) -> None:
    with connection.cursor() as cursor:  # the tables are tiny: make the planner show its index
        cursor.execute("SET LOCAL enable_seqscan = off")
    by_handle = TelegramChat.objects.filter(username__iexact="Reza_K").values("user_id")
    assert "telegram_chat_username_idx" in by_handle.explain()
    slice_ = Ticket.objects.filter(team_id__in=[team_a.pk]).order_by().values("contact_id")
    assert "ticket_team_contact_idx" in slice_.explain()
    open_ = Ticket.objects.filter(status__in=TicketStatus.active()).order_by()
    assert "ticket_open_contact_idx" in open_.values("contact_id").distinct().explain()
