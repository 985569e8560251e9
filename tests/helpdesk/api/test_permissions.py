from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.actions import tickets as actions
from helpdesk.models import Contact, Message, Ticket, TicketEvent
from tests.helpdesk.api.conftest import API, CORE_TAGS, WRITE_METHODS, fill, operations

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _valid_bodies(agent_b: Any, ticket_b: Ticket) -> dict[tuple[str, str], Any]:
    """A well-formed body for every write endpoint (so only permission can refuse it)."""
    t = f"{API}/tickets/{{ticket_id}}"
    return {
        ("post", f"{t}/reply"): {"text": "hi"},
        ("delete", f"{API}/contacts/{{contact_id}}"): {},
        ("post", f"{API}/contacts/{{contact_id}}/identities"): {
            "kind": "email",
            "address": "b@example.com",
        },
        ("patch", f"{API}/contacts/{{contact_id}}/attributes"): {"custom_attributes": {}},
        ("patch", f"{t}/attributes"): {"custom_attributes": {}},
        ("post", f"{t}/notes"): {"text": "hi"},
        ("post", f"{t}/assign"): {"assignee_id": agent_b.pk},
        ("post", f"{t}/claim"): {},
        ("post", f"{t}/unassign"): {},
        ("post", f"{t}/status"): {"status": "pending"},
        ("post", f"{t}/priority"): {"priority": 4},
        ("post", f"{t}/tags"): {"tags": ["mine"]},
        ("post", f"{t}/snooze"): {"until": "2099-01-01T00:00:00Z"},
        ("post", f"{t}/merge"): {"target_id": ticket_b.pk},
        ("post", f"{t}/split"): {"message_ids": [1]},
        ("post", f"{t}/refer"): {"to_user_id": agent_b.pk, "note": "mine now"},
        ("post", f"{API}/messages/{{message_id}}/retry"): {},
        ("patch", f"{API}/contacts/{{contact_id}}"): {"name": "Hijacked"},
        ("post", f"{API}/contacts/{{contact_id}}/merge"): {"target_id": ticket_b.contact_id},
    }


def test_it_answers_404_on_every_endpoint_for_another_teams_objects(
    api: Any, agent_b: Any, ticket_b: Ticket, team_a_objects: dict[str, int]
) -> None:
    client = api(agent_b)
    bodies = _valid_bodies(agent_b, ticket_b)
    before = (
        Ticket.objects.get(pk=team_a_objects["ticket_id"]).version,
        Message.objects.count(),
        TicketEvent.objects.count(),
        Contact.objects.get(pk=team_a_objects["contact_id"]).name,
    )
    checked = 0
    for method, template, _op in operations(tags=CORE_TAGS):
        if "{" not in template:
            continue
        path = fill(template, team_a_objects)
        if method in WRITE_METHODS:
            # Endpoints without a listed body get {}: they must still answer 404 (the
            # object is looked up, with its access, before the body is judged).
            send = getattr(client, method, None) or getattr(client.client, method)
            response = send(path, bodies.get((method, template), {}))
        else:
            response = client.client.get(path)
        assert response.status_code == 404, (method, path, response.content)
        assert "not found" in response.json()["detail"]
        checked += 1
    assert checked >= 16
    after = (
        Ticket.objects.get(pk=team_a_objects["ticket_id"]).version,
        Message.objects.count(),
        TicketEvent.objects.count(),
        Contact.objects.get(pk=team_a_objects["contact_id"]).name,
    )
    assert after == before


def test_it_hides_another_teams_objects_from_the_lists(
    api: Any, agent_b: Any, ticket_b: Ticket, team_a_objects: dict[str, int]
) -> None:
    client = api(agent_b)
    assert [t["id"] for t in client.get(f"{API}/tickets").json()["items"]] == [ticket_b.pk]
    assert client.get(f"{API}/tickets", q=f"#{team_a_objects['ticket_id']}").json()["items"] == []
    contacts = client.get(f"{API}/contacts").json()["items"]
    assert [c["id"] for c in contacts] == [ticket_b.contact_id]
    events = client.get(f"{API}/events").json()["items"]
    assert events and {e["ticket_id"] for e in events} == {ticket_b.pk}


def test_it_answers_404_for_ids_that_do_not_exist(api: Any, agent_a: Any) -> None:
    client = api(agent_a)
    for path in ("tickets/987654", "contacts/987654", "attachments/987654"):
        assert client.get(f"{API}/{path}").status_code == 404
    assert client.post(f"{API}/tickets/987654/claim").status_code == 404
    assert client.post(f"{API}/messages/987654/retry").status_code == 404


def test_it_answers_403_when_a_plain_agent_does_supervisor_work(
    api: Any,
    agent_a: Any,
    agent_a2: Any,
    supervisor_a: Any,
    email_inbox_a: Any,
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(email_inbox_a)
    other = make_ticket(email_inbox_a)
    actions.do_claim(agent_a2, ticket.pk)
    client = api(agent_a)
    url = f"{API}/tickets/{ticket.pk}"
    refused = [
        ("assign", {"assignee_id": agent_a.pk}),  # taking a colleague's ticket
        ("unassign", {}),  # unassigning a colleague
        ("merge", {"target_id": other.pk}),
    ]
    for path, body in refused:
        response = client.post(f"{url}/{path}", body)
        assert response.status_code == 403, (path, response.content)
    contact_merge = f"{API}/contacts/{ticket.contact_id}/merge"
    assert client.post(contact_merge, {"target_id": other.contact_id}).status_code == 403
    free = client.post(f"{API}/tickets/{other.pk}/assign", {"assignee_id": agent_a2.pk})
    assert free.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == agent_a2.pk
    boss = api(supervisor_a)
    for path, body in refused:
        assert boss.post(f"{url}/{path}", body).status_code == 200, path
    assert boss.post(contact_merge, {"target_id": other.contact_id}).status_code == 200


def test_it_refuses_merging_a_contact_with_tickets_the_agent_cannot_see(
    api: Any,
    supervisor_a: Any,
    admin_user: Any,
    email_inbox_a: Any,
    email_inbox_b: Any,
    make_ticket: Callable[..., Ticket],
) -> None:
    shared = make_ticket(email_inbox_a, sender="both@example.com")
    make_ticket(email_inbox_b, sender="both@example.com")
    target = make_ticket(email_inbox_a, sender="other@example.com")
    path = f"{API}/contacts/{shared.contact_id}/merge"
    response = api(supervisor_a).post(path, {"target_id": target.contact_id})
    assert response.status_code == 403
    assert api(admin_user).post(path, {"target_id": target.contact_id}).status_code == 200
