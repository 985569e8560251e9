"""A channel is a plug-in: tests/pigeon is installed only by the test settings.

Nothing in helpdesk/ names it, yet the admin offers it, the API filters by it,
its webhook opens tickets through the one ingest path, its continuity policy is
honoured, and agents' replies reach its sender.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from helpdesk import channels
from helpdesk.actions.messages import do_reply
from helpdesk.models import ContactIdentity, DeliveryStatus, Inbox, Message, Ticket
from tests import factories
from tests.pigeon import sender as loft

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


@pytest.fixture
def pigeon_inbox(team_a: Any) -> Inbox:
    return factories.make_inbox(team_a, "pigeon")


def _land(inbox: Inbox, note_id: str, ring: str, note: str) -> int:
    response = Client().post(
        f"/pigeon/{inbox.pk}/land/", {"note_id": note_id, "ring": ring, "note": note}
    )
    assert response.status_code == 201, response.content
    ticket_id: int = response.json()["ticket"]
    return ticket_id


def test_it_registers_the_channel_from_its_manifest_alone() -> None:
    assert "pigeon" in channels.kinds()
    assert channels.spec_for("pigeon").label == "Carrier pigeon"
    assert "pigeon-ring" in channels.identity_specs()


def test_it_refuses_an_inbox_kind_no_installed_channel_declares(team_a: Any) -> None:
    Inbox(kind="pigeon", name="Loft", team=team_a).full_clean()
    with pytest.raises(ValidationError):
        Inbox(kind="smoke-signal", name="Hill", team=team_a).full_clean()


def test_it_offers_the_channel_in_the_admin(admin_user: Any, team_a: Any) -> None:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    form = client.get("/admin/helpdesk/inbox/add/").content.decode()
    assert '<option value="pigeon">Carrier pigeon</option>' in form
    response = client.post(
        "/admin/helpdesk/inbox/add/",
        {"kind": "pigeon", "name": "Rooftop loft", "team": team_a.pk, "enabled": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Inbox.objects.get(name="Rooftop loft").kind == "pigeon"
    refused = client.post(
        "/admin/helpdesk/inbox/add/",
        {"kind": "smoke-signal", "name": "Hill", "team": team_a.pk, "enabled": "on"},
    )
    assert refused.status_code == 200 and not Inbox.objects.filter(name="Hill").exists()


def test_it_receives_continues_and_filters_by_the_channel(
    pigeon_inbox: Inbox, agent_a: Any, api: Any
) -> None:
    first = _land(pigeon_inbox, "n-1", "RING-7", "Need more seed")
    again = _land(pigeon_inbox, "n-2", "RING-7", "Also water")
    assert again == first  # the manifest says a new note continues the conversation
    assert _land(pigeon_inbox, "n-2", "RING-7", "Also water") == first  # dedupe on external id
    assert Message.objects.filter(ticket_id=first).count() == 2
    assert ContactIdentity.objects.get(kind="pigeon-ring").address == "RING-7"
    listed = api(agent_a).get("/api/v1/tickets", channel="pigeon").json()
    assert [t["id"] for t in listed["items"]] == [first]
    assert api(agent_a).get("/api/v1/tickets", channel="smoke-signal").status_code == 422


def test_it_delivers_agents_replies_through_the_channels_sender(
    pigeon_inbox: Inbox, agent_a: Any
) -> None:
    loft.FLOWN.clear()
    ticket = Ticket.objects.get(pk=_land(pigeon_inbox, "n-9", "RING-9", "Hello?"))
    reply = do_reply(agent_a, ticket.pk, "Coo")
    factories.run_queued_tasks()
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert reply.external_id == f"pigeon:{reply.pk}"
    assert [(reply.pk, "RING-9")] == loft.FLOWN
