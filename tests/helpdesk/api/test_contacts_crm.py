"""The CRM API: contacts CRUD with identities and attributes, companies, attribute
definitions, segments (list, members, count), with the API's permission rules."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.models import Company, Contact, Segment
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_creates_edits_and_deletes_a_contact_with_identities_and_typed_attributes(
    api: Any, admin_user: Any
) -> None:
    client = api(admin_user)
    made = client.post(
        "/api/v1/attributes",
        {"entity": "contact", "key": "birthday", "label": "Birthday", "type": "date"},
    )
    assert made.status_code == 201, made.content
    acme = client.post("/api/v1/companies", {"name": "Acme", "domains": ["Acme.IO"]}).json()
    assert acme["domains"] == ["acme.io"]
    created = client.post(
        "/api/v1/contacts",
        {
            "name": "Neda",
            "identities": [
                {"kind": "email", "address": "Neda@Acme.io"},
                {"kind": "phone", "address": "۰۹۱۲ ۱۲۳ ۴۵۶۷"},
            ],
            "tags": ["VIP"],
            "custom_attributes": {"birthday": "1370/01/01"},
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["company_id"] == acme["id"]  # joined by the email's domain
    assert body["tags"] == ["vip"] and body["custom_attributes"] == {"birthday": "1991-03-21"}
    assert {i["address"] for i in body["identities"]} == {"neda@acme.io", "+989121234567"}
    bad = client.patch(
        f"/api/v1/contacts/{body['id']}/attributes", {"custom_attributes": {"birthday": "soon"}}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "custom_attributes"
    assert "birthday" in bad.json()["detail"]
    again = client.post(
        "/api/v1/contacts", {"identities": [{"kind": "email", "address": "NEDA@acme.io"}]}
    )
    assert again.status_code == 422  # the address is taken: merge instead
    patched = client.patch(f"/api/v1/contacts/{body['id']}", {"company_id": None, "tags": ["a"]})
    assert patched.json()["company_id"] is None and patched.json()["tags"] == ["a"]
    assert client.get("/api/v1/contacts", tag="a").json()["items"][0]["id"] == body["id"]
    assert client.client.delete(f"/api/v1/contacts/{body['id']}").status_code == 204
    assert not Contact.objects.filter(pk=body["id"]).exists()


def test_it_counts_and_lists_segment_members_the_caller_may_see(
    api: Any, admin_user: Any, agent_a: Any, email_inbox_a: Any, email_inbox_b: Any
) -> None:
    from helpdesk.ingest import receive

    receive(factories.inbound(email_inbox_a, sender="a@example.com", name="Team A person"))
    receive(factories.inbound(email_inbox_b, sender="b@example.com", name="Team B person"))
    Contact.objects.update(tags=["vip"])
    admin = api(admin_user)
    segment = admin.post("/api/v1/segments", {"name": "VIPs", "definition": {"tags": ["vip"]}})
    assert segment.status_code == 201, segment.content
    sid = segment.json()["id"]
    assert admin.get(f"/api/v1/segments/{sid}/count").json()["count"] == 2
    agent = api(agent_a)
    assert agent.get(f"/api/v1/segments/{sid}/count").json()["count"] == 1
    names = [c["name"] for c in agent.get(f"/api/v1/segments/{sid}/members").json()["items"]]
    assert names == ["Team A person"]
    assert [s["name"] for s in agent.get("/api/v1/segments").json()] == ["VIPs"]
    refused = agent.post("/api/v1/segments", {"name": "Mine", "definition": {}})
    assert refused.status_code == 403 and not Segment.objects.filter(name="Mine").exists()
    bad = admin.post("/api/v1/segments", {"name": "Bad", "definition": {"tagz": []}})
    assert bad.status_code == 422


def test_it_keeps_companies_and_definitions_to_managers(
    api: Any, agent_a: Any, admin_user: Any
) -> None:
    agent = api(agent_a)
    assert agent.post("/api/v1/companies", {"name": "X"}).status_code == 403
    assert agent.post("/api/v1/attributes", {"key": "k", "label": "K"}).status_code == 403
    Company.objects.create(name="Visible")
    assert [c["name"] for c in agent.get("/api/v1/companies").json()["items"]] == ["Visible"]
    assert agent.client.delete("/api/v1/contacts/1").status_code in (403, 404)


def test_it_sets_a_ticket_attribute_only_on_a_readable_ticket(
    api: Any, admin_user: Any, agent_b: Any, email_inbox_a: Any
) -> None:
    from helpdesk.ingest import receive

    ticket = receive(factories.inbound(email_inbox_a)).ticket
    api(admin_user).post(
        "/api/v1/attributes",
        {"entity": "ticket", "key": "order", "label": "Order", "type": "number"},
    )
    ok = api(admin_user).patch(
        f"/api/v1/tickets/{ticket.pk}/attributes", {"custom_attributes": {"order": "۱۲"}}
    )
    assert ok.status_code == 200 and ok.json()["custom_attributes"] == {"order": 12}
    hidden = api(agent_b).patch(
        f"/api/v1/tickets/{ticket.pk}/attributes", {"custom_attributes": {"order": 1}}
    )
    assert hidden.status_code == 404
