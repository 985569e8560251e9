"""`helpdesk_contact.team_ids` (migration 0021, PostgreSQL): the triggers on tickets keep
each contact's array equal to the visibility rule (the distinct teams of its tickets),
whatever changes the tickets, and `readable_contacts` answers what `visible_contacts`
answers (docs/contacts.md, "An agent's slice as a team array")."""

from __future__ import annotations

import importlib
import random
import time
from typing import Any

import pytest
from django.db import connection, transaction

from helpdesk.actions.contacts import do_merge_contacts
from helpdesk.actions.tickets import do_set_team
from helpdesk.crm.visibility import readable_contacts
from helpdesk.models import Contact, Inbox, Team, Ticket
from helpdesk.staff.access import visible_contacts
from tests import factories
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.concurrency import race

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

migration = importlib.import_module("helpdesk.migrations.0021_contact_team_ids")


def arrays() -> dict[int, set[int]]:
    """Every contact's `team_ids`, as sets (the order is not part of the rule)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, team_ids FROM helpdesk_contact")
        return {pk: set(teams) for pk, teams in cursor.fetchall()}


def rule() -> dict[int, set[int]]:
    """What the visibility rule says: the non-null teams of each contact's tickets."""
    want: dict[int, set[int]] = {pk: set() for pk in Contact.objects.values_list("id", flat=True)}
    for contact_id, team_id in Ticket.objects.values_list("contact_id", "team_id"):
        if team_id is not None:
            want[contact_id].add(team_id)
    return want


def teams_of(contact: Contact) -> set[int]:
    return arrays()[contact.pk]


def xmin(contact: Contact) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM helpdesk_contact WHERE id = %s", [contact.pk])
        return str(cursor.fetchone()[0])


def _ticket(contact: Contact, inbox: Inbox, team: Team | None) -> Ticket:
    return Ticket.objects.create(contact=contact, inbox=inbox, team=team, subject="t")


def test_it_adds_a_new_team_and_writes_nothing_for_a_team_already_there(
    email_inbox_a: Inbox, email_inbox_b: Inbox, team_a: Team, team_b: Team
) -> None:
    ticket = open_ticket(email_inbox_a, sender="nina@example.com")
    contact = ticket.contact
    assert teams_of(contact) == {team_a.pk}
    before = xmin(contact)
    _ticket(contact, email_inbox_a, team_a)
    assert xmin(contact) == before  # the team was there: the row was not rewritten
    open_ticket(email_inbox_b, sender="nina@example.com")
    assert teams_of(contact) == {team_a.pk, team_b.pk}
    _ticket(contact, email_inbox_a, None)  # a ticket with no team adds nothing
    assert teams_of(contact) == {team_a.pk, team_b.pk}


def test_it_follows_a_ticket_moved_to_another_team_or_left_without_one(
    email_inbox_a: Inbox, team_a: Team, team_b: Team, admin_user: Any
) -> None:
    ticket = open_ticket(email_inbox_a, sender="omid@example.com")
    other = _ticket(ticket.contact, email_inbox_a, team_a)
    do_set_team(admin_user, ticket.pk, team_b.pk)
    assert teams_of(ticket.contact) == {team_a.pk, team_b.pk}  # `other` is still in A
    Ticket.objects.filter(pk=other.pk).update(team=None)
    assert teams_of(ticket.contact) == {team_b.pk}
    Ticket.objects.filter(pk=ticket.pk).update(subject="no team change")
    assert teams_of(ticket.contact) == {team_b.pk}
    team_b.delete()  # the tickets' team is set to NULL
    assert teams_of(ticket.contact) == set()
    assert arrays() == rule()


def test_it_follows_a_bulk_update_and_a_deletion(
    email_inbox_a: Inbox, team_a: Team, team_b: Team
) -> None:
    contacts = [open_ticket(email_inbox_a, sender=f"c{n}@example.com").contact for n in range(4)]
    _ticket(contacts[0], email_inbox_a, team_a)
    Ticket.objects.filter(contact__in=contacts[:3]).update(team=team_b)
    assert [teams_of(c) for c in contacts] == [{team_b.pk}] * 3 + [{team_a.pk}]
    Ticket.objects.filter(contact=contacts[3]).delete()
    assert teams_of(contacts[3]) == set()
    assert arrays() == rule()


def test_it_follows_tickets_moved_by_a_contact_merge(
    email_inbox_a: Inbox, email_inbox_b: Inbox, team_a: Team, team_b: Team, admin_user: Any
) -> None:
    source = open_ticket(email_inbox_a, sender="old@example.com").contact
    target = open_ticket(email_inbox_b, sender="new@example.com").contact
    do_merge_contacts(admin_user, source.pk, target.pk)
    assert teams_of(source) == set()  # its tickets are the target's now
    assert teams_of(target) == {team_a.pk, team_b.pk}
    assert arrays() == rule()


def test_it_reads_an_agents_slice_as_the_rule_does(
    email_inbox_a: Inbox, team_a: Team, team_b: Team, agent_a: Any, agent_b: Any
) -> None:
    """A random mix of ticket changes; after each step the arrays are the rule, and
    every agent's `readable_contacts` is their `visible_contacts`."""
    rnd = random.Random(19)
    team_c = factories.make_team("Team C")
    both = factories.make_user("carol", teams=[team_b, team_c])
    nobody = factories.make_user("nadia")  # an agent of no team sees no contact
    teams: list[Team | None] = [team_a, team_b, team_c, None]
    contacts = [Contact.objects.create(name=f"Mix {n}") for n in range(8)]
    for _ in range(60):
        tickets = list(Ticket.objects.all())
        op = rnd.choice(["create", "create", "team", "contact", "bulk", "delete"])
        if op == "create" or not tickets:
            _ticket(rnd.choice(contacts), email_inbox_a, rnd.choice(teams))
        elif op == "team":
            Ticket.objects.filter(pk=rnd.choice(tickets).pk).update(team=rnd.choice(teams))
        elif op == "contact":
            Ticket.objects.filter(pk=rnd.choice(tickets).pk).update(contact=rnd.choice(contacts))
        elif op == "bulk":
            picked = [t.pk for t in rnd.sample(tickets, k=min(3, len(tickets)))]
            Ticket.objects.filter(pk__in=picked).update(team=rnd.choice(teams))
        else:
            Ticket.objects.filter(pk=rnd.choice(tickets).pk).delete()
        assert arrays() == rule(), op
        for user in (agent_a, agent_b, both, nobody):
            fast = set(readable_contacts(user).values_list("id", flat=True))
            assert fast == set(visible_contacts(user).values_list("id", flat=True))


def test_it_keeps_the_agents_condition_when_the_query_becomes_a_subquery(
    email_inbox_a: Inbox, email_inbox_b: Inbox, agent_a: Any
) -> None:
    mine = open_ticket(email_inbox_a, sender="mine@example.com").contact
    open_ticket(email_inbox_b, sender="theirs@example.com")
    inner = readable_contacts(agent_a).filter(merged_into__isnull=True).values("id")
    outer = Contact.objects.filter(id__in=inner)  # the inner table becomes "U0"
    assert list(outer.values_list("id", flat=True)) == [mine.pk]
    assert "team_ids" in str(readable_contacts(agent_a).query)


def test_it_backfills_and_repairs_every_array_with_one_update(
    email_inbox_a: Inbox, email_inbox_b: Inbox, team_a: Team
) -> None:
    """The migration's backfill (`RESYNC`) on rows written before the triggers existed,
    and on arrays that went wrong: it writes the rule's arrays and only where needed."""
    a = open_ticket(email_inbox_a, sender="a@example.com").contact
    b = open_ticket(email_inbox_b, sender="b@example.com").contact
    _ticket(b, email_inbox_a, team_a)
    lonely = Contact.objects.create(name="No ticket")
    untouched = Contact.objects.create(name="Also none")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE helpdesk_contact SET team_ids = '{}' WHERE id = %s", [a.pk])
        cursor.execute("UPDATE helpdesk_contact SET team_ids = '{999}' WHERE id = %s", [lonely.pk])
        cursor.execute("UPDATE helpdesk_contact SET team_ids = '{}' WHERE id = %s", [b.pk])
    assert arrays() != rule()
    before = xmin(untouched)
    with connection.cursor() as cursor:
        cursor.execute(migration.RESYNC)
        assert cursor.rowcount == 3  # a, b and lonely; nothing else is written
    assert arrays() == rule()
    assert xmin(untouched) == before
    with connection.cursor() as cursor:
        cursor.execute(migration.RESYNC)
        assert cursor.rowcount == 0


def test_it_indexes_the_arrays_for_bitmaps_and_the_newest_first_walk(
    email_inbox_a: Inbox, agent_a: Any
) -> None:
    """The GIN index without a pending list, and the partial index on contacts with a
    team whose predicate the agent's condition carries (so the planner may use it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'helpdesk_contact'"
        )
        indexes = dict(cursor.fetchall())
    assert "fastupdate=off" in indexes["helpdesk_contact_team_ids_gin"]
    assert "WHERE (team_ids <> '{}'::bigint[])" in indexes["helpdesk_contact_with_team_idx"]
    open_ticket(email_inbox_a, sender="walk@example.com")
    with connection.cursor() as cursor:  # the table is tiny: make the planner show its index
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    newest = readable_contacts(agent_a).order_by("-id")[:26]
    assert "helpdesk_contact_with_team_idx" in newest.explain()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["insert", "move"])
def test_it_keeps_the_array_when_a_new_ticket_and_a_move_race(
    email_inbox_a: Inbox, team_a: Team, team_b: Team, first: str
) -> None:
    """A ticket of team A opened for a contact that already has one in A (the insert
    writes nothing) while that other ticket moves to B: whichever commits first, the
    contact keeps A. Each trigger locks the contact's row before reading, so the
    second waits for the first and then sees its ticket."""
    contact = Contact.objects.create(name="Racing")
    moving = _ticket(contact, email_inbox_a, team_a)

    def insert() -> None:
        time.sleep(0 if first == "insert" else 0.2)
        with transaction.atomic():
            _ticket(contact, email_inbox_a, team_a)
            time.sleep(0.5)  # the other transaction runs its trigger meanwhile

    def move() -> None:
        time.sleep(0 if first == "move" else 0.2)
        with transaction.atomic():
            Ticket.objects.filter(pk=moving.pk).update(team=team_b)
            time.sleep(0.5)

    race(insert, move)
    assert teams_of(contact) == {team_a.pk, team_b.pk}
    assert arrays() == rule()
