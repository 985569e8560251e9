"""Django admin: every changelist loads; tickets change only through actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from helpdesk.ingest import receive
from helpdesk.models import ApiToken, Contact, Ticket, TicketEvent, TicketStatus
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def staff(admin_user: Any) -> Client:
    """A logged-in superuser who is also the desk's admin agent."""
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def ticket(email_inbox_a: Any) -> Ticket:
    msg = factories.inbound(email_inbox_a, sender="leila@example.ir", name="لیلا", text="سلام")
    return receive(msg).ticket


def _url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_it_loads_every_changelist_and_change_page(
    staff: Client, ticket: Ticket, agent_a: Any
) -> None:
    factories.make_token(agent_a)
    failures = []
    for model in admin.site._registry:
        response = staff.get(_url(model, "changelist"))
        if response.status_code != 200:
            failures.append((model.__name__, "changelist", response.status_code))
        first = model._default_manager.first()
        if first is not None:
            response = staff.get(_url(model, "change", first.pk))
            if response.status_code != 200:
                failures.append((model.__name__, "change", response.status_code))
    assert failures == []


def test_it_keeps_agents_without_staff_rights_out(agent_a: Any) -> None:
    client = Client()
    client.force_login(agent_a)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert client.get(_url(Ticket, "changelist")).status_code == 302


def test_it_shows_tickets_read_only(staff: Client, ticket: Ticket) -> None:
    page = staff.get(_url(Ticket, "change", ticket.pk))
    assert page.status_code == 200
    assert b'name="status"' not in page.content
    before = ticket.version
    staff.post(_url(Ticket, "change", ticket.pk), {"status": TicketStatus.CLOSED})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (TicketStatus.NEW, before)
    assert staff.get(_url(Ticket, "add")).status_code == 403
    assert staff.post(_url(Ticket, "delete", ticket.pk), {"post": "yes"}).status_code == 403


def test_it_changes_tickets_through_actions_from_the_admin(staff: Client, ticket: Ticket) -> None:
    response = staff.post(
        _url(Ticket, "changelist"),
        {"action": "mark_resolved", "_selected_action": [ticket.pk]},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    event = TicketEvent.objects.filter(ticket=ticket, type="ticket.status_changed").get()
    assert event.payload["status"] == "resolved"


def test_it_assigns_to_me_from_the_admin(staff: Client, ticket: Ticket, admin_user: Any) -> None:
    staff.post(
        _url(Ticket, "changelist"), {"action": "assign_to_me", "_selected_action": [ticket.pk]}
    )
    ticket.refresh_from_db()
    assert ticket.assignee_id == admin_user.pk
    assert TicketEvent.objects.filter(ticket=ticket, type="ticket.assigned").exists()


def test_it_edits_contacts_through_the_contact_action(staff: Client, ticket: Ticket) -> None:
    contact = ticket.contact
    response = staff.post(
        _url(Contact, "change", contact.pk),
        {
            "name": "لیلا احمدی",
            "language": "fa",
            "preferred_channel": "email",
            "notes": "VIP",
            "custom_attributes": "",  # name: value lines (helpdesk/admin_fields.py)
            "identities-TOTAL_FORMS": "1",
            "identities-INITIAL_FORMS": "1",
            "identities-MIN_NUM_FORMS": "0",
            "identities-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    contact.refresh_from_db()
    assert (contact.name, contact.notes) == ("لیلا احمدی", "VIP")
    event = TicketEvent.objects.get(type="contact.updated")
    assert "notes" in event.payload["fields"]


def test_it_merges_contacts_from_the_admin(staff: Client, email_inbox_a: Any) -> None:
    first = receive(factories.inbound(email_inbox_a, sender="a@example.com")).ticket.contact
    second = receive(factories.inbound(email_inbox_a, sender="b@example.com")).ticket.contact
    staff.post(
        _url(Contact, "changelist"),
        {"action": "merge_into_oldest", "_selected_action": [first.pk, second.pk]},
    )
    second.refresh_from_db()
    assert second.merged_into_id == first.pk
    assert first.identities.count() == 2


def test_it_never_shows_an_api_tokens_hash(staff: Client, agent_a: Any) -> None:
    factories.make_token(agent_a)
    token = ApiToken.objects.get(user=agent_a)
    for url in (_url(ApiToken, "changelist"), _url(ApiToken, "change", token.pk)):
        page = staff.get(url)
        assert page.status_code == 200
        assert token.token_hash.encode() not in page.content
        assert token.prefix.encode() in page.content
    assert staff.get(_url(ApiToken, "add")).status_code == 200  # issued here, shown once


def test_it_issues_a_token_once_and_revokes_it_in_the_admin(staff: Client, agent_a: Any) -> None:
    page = staff.post(_url(ApiToken, "add"), {"user": agent_a.pk, "name": "ci", "scope": "read"})
    assert page.status_code == 200, page.content[:500]
    token = ApiToken.objects.get(user=agent_a)
    raw = page.context["raw"]
    assert raw.startswith(token.prefix)
    assert token.scope == "read"
    assert "no-store" in page["Cache-Control"]
    assert staff.get(_url(ApiToken, "change", token.pk)).content.count(raw.encode()) == 0
    staff.post(_url(ApiToken, "changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_refuses_a_token_for_a_user_without_an_agent_profile(staff: Client) -> None:
    plain = factories.make_user("nobody")
    plain.agent.delete()
    page = staff.post(_url(ApiToken, "add"), {"user": plain.pk, "scope": "tickets"})
    assert b"no agent profile" in page.content
    assert not ApiToken.objects.filter(user=plain).exists()


def test_it_edits_an_agent_inline_on_the_user(staff: Client, agent_a: Any) -> None:
    page = staff.get(reverse("admin:auth_user_change", args=[agent_a.pk]))
    assert page.status_code == 200
    assert b"agent-0-role" in page.content or b'name="agent-0-role"' in page.content
