"""Contact actions: edit and merge, with their permission rules."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.actions.contacts import do_merge_contacts, do_update_contact
from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.models import Contact, ContactIdentity, Ticket
from tests.helpdesk.actions_helpers import events_of, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_updates_a_contact_and_tells_every_team_that_has_their_tickets(
    email_inbox_a: Any, email_inbox_b: Any, agent_a: Any
) -> None:
    ticket = open_ticket(email_inbox_a, sender="maryam@example.com")
    open_ticket(email_inbox_b, sender="maryam@example.com")
    do_update_contact(
        agent_a,
        ticket.contact_id,
        {"name": "مریم احمدی", "language": "fa", "custom_attributes": {"plan": "gold"}},
    )
    contact = Contact.objects.get(pk=ticket.contact_id)
    assert contact.name == "مریم احمدی" and contact.custom_attributes == {"plan": "gold"}
    payload = {"contact_id": contact.pk, "fields": ["custom_attributes", "language", "name"]}
    assert events_of(None, "contact.updated") == [payload, payload]


def test_it_refuses_bad_contact_changes(email_inbox_a: Any, agent_a: Any) -> None:
    contact_id = open_ticket(email_inbox_a).contact_id
    cases: list[tuple[dict[str, Any], str]] = [
        ({"merged_into": 1}, "merged_into"),
        ({"preferred_channel": "fax"}, "preferred_channel"),
        ({"custom_attributes": ["not", "an", "object"]}, "custom_attributes"),
    ]
    for changes, field in cases:
        with pytest.raises(Invalid) as refused:
            do_update_contact(agent_a, contact_id, changes)
        assert refused.value.field == field


def test_it_hides_a_contact_from_another_teams_agent(email_inbox_a: Any, agent_b: Any) -> None:
    contact_id = open_ticket(email_inbox_a).contact_id
    with pytest.raises(NotFound):
        do_update_contact(agent_b, contact_id, {"name": "x"})
    with pytest.raises(NotFound):
        do_merge_contacts(agent_b, contact_id, contact_id + 1)


def _two_contacts(inbox: Any) -> tuple[Ticket, Ticket]:
    return (
        open_ticket(inbox, sender="old-address@example.com"),
        open_ticket(inbox, sender="new-address@example.com"),
    )


def test_it_forbids_a_plain_agent_to_merge_contacts(email_inbox_a: Any, agent_a: Any) -> None:
    one, two = _two_contacts(email_inbox_a)
    with pytest.raises(Forbidden):
        do_merge_contacts(agent_a, one.contact_id, two.contact_id)
    assert Contact.objects.get(pk=one.contact_id).merged_into_id is None


def test_it_lets_a_supervisor_merge_contacts_of_their_team(
    email_inbox_a: Any, supervisor_a: Any, admin_user: Any
) -> None:
    one, two = _two_contacts(email_inbox_a)
    Contact.objects.filter(pk=one.contact_id).update(notes="VIP", custom_attributes={"a": 1})
    Contact.objects.filter(pk=two.contact_id).update(custom_attributes={"a": 2, "b": 3})
    target = do_merge_contacts(supervisor_a, one.contact_id, two.contact_id)
    assert target.pk == two.contact_id
    assert Contact.objects.get(pk=one.contact_id).merged_into_id == two.contact_id
    assert ContactIdentity.objects.filter(contact_id=two.contact_id).count() == 2
    assert set(Ticket.objects.values_list("contact_id", flat=True)) == {two.contact_id}
    merged = Contact.objects.get(pk=two.contact_id)
    assert merged.notes == "VIP" and merged.custom_attributes == {"a": 2, "b": 3}
    assert events_of(None, "contact.merged") == [
        {"contact_id": one.contact_id, "merged_into": two.contact_id}
    ]
    with pytest.raises(Invalid):
        do_merge_contacts(admin_user, one.contact_id, two.contact_id)  # already merged
    with pytest.raises(Invalid):
        do_merge_contacts(supervisor_a, two.contact_id, two.contact_id)


def test_it_merges_contacts_whose_attributes_are_not_an_object(
    email_inbox_a: Any, admin_user: Any
) -> None:
    one, two = _two_contacts(email_inbox_a)
    Contact.objects.filter(pk=one.contact_id).update(custom_attributes=["written", "by hand"])
    Contact.objects.filter(pk=two.contact_id).update(custom_attributes={"plan": "gold"})
    target = do_merge_contacts(admin_user, one.contact_id, two.contact_id)
    assert Contact.objects.get(pk=target.pk).custom_attributes == {"plan": "gold"}
    three = open_ticket(email_inbox_a, sender="c@example.com")
    four = open_ticket(email_inbox_a, sender="d@example.com")
    Contact.objects.filter(pk=four.contact_id).update(custom_attributes="odd")
    target = do_merge_contacts(admin_user, three.contact_id, four.contact_id)
    assert Contact.objects.get(pk=target.pk).custom_attributes == "odd"
    assert Contact.objects.get(pk=three.contact_id).merged_into_id == four.contact_id


def test_it_forbids_a_supervisor_to_merge_a_contact_with_tickets_they_cannot_see(
    email_inbox_a: Any, email_inbox_b: Any, supervisor_a: Any, admin_user: Any
) -> None:
    one, two = _two_contacts(email_inbox_a)
    open_ticket(email_inbox_b, sender="new-address@example.com")  # the target is in team B too
    with pytest.raises(Forbidden):
        do_merge_contacts(supervisor_a, one.contact_id, two.contact_id)
    with pytest.raises(Forbidden):
        do_merge_contacts(supervisor_a, two.contact_id, one.contact_id)
    do_merge_contacts(admin_user, two.contact_id, one.contact_id)
    assert Contact.objects.get(pk=two.contact_id).merged_into_id == one.contact_id
