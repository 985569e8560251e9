from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.actions import messages as message_actions
from helpdesk.inbound import InboundAttachment
from helpdesk.models import DeliveryStatus, Message, Ticket
from tests.helpdesk.api.conftest import API

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_shows_a_ticket_with_its_messages_in_order(
    api: Any, agent_a: Any, email_inbox_a: Any, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket(
        email_inbox_a,
        name="Maryam Ahmadi",
        text="First",
        html='<p onclick="steal()">First<script>alert(1)</script></p>',
        attachments=(InboundAttachment("photo.png", "image/png", b"\x89PNG data"),),
    )
    message_actions.do_add_note(agent_a, ticket.pk, "checking with billing")
    message_actions.do_reply(agent_a, ticket.pk, "We are on it")
    client = api(agent_a)
    body = client.get(f"{API}/tickets/{ticket.pk}").json()
    assert body["id"] == body["number"] == ticket.pk
    assert body["contact"] == {"id": ticket.contact_id, "name": "Maryam Ahmadi"}
    assert body["channel"] == "email"
    assert [m["direction"] for m in body["messages"]] == ["inbound", "note", "outbound"]
    inbound, note, reply = body["messages"]
    assert inbound["author"] == {
        "kind": "contact",
        "id": ticket.contact_id,
        "name": "Maryam Ahmadi",
    }
    assert "script" not in inbound["html"] and "onclick" not in inbound["html"]
    assert "First" in inbound["html"]
    assert inbound["channel_meta"]["auto_generated"] is False
    assert note["author"] == {"kind": "agent", "id": agent_a.pk, "name": "Alice"}
    assert reply["delivery_status"] == "queued" and reply["delivery_error"] == ""
    (attachment,) = inbound["attachments"]
    assert attachment["name"] == "photo.png"
    assert attachment["size"] == len(b"\x89PNG data")
    assert attachment["content_type"] == "image/png"
    download = client.client.get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\x89PNG data"


def test_it_shows_a_failed_delivery_with_its_error(
    api: Any, agent_a: Any, ticket_a: Ticket
) -> None:
    reply = message_actions.do_reply(agent_a, ticket_a.pk, "Hello")
    message_actions.do_record_delivery(
        reply.pk, status=DeliveryStatus.FAILED, error="550 mailbox unavailable"
    )
    messages = api(agent_a).get(f"{API}/tickets/{ticket_a.pk}").json()["messages"]
    assert messages[-1]["delivery_status"] == "failed"
    assert messages[-1]["delivery_error"] == "550 mailbox unavailable"
    assert messages[-1]["delivery_attempts"] == 1


def test_it_replies_with_attachments_and_resolves(api: Any, agent_a: Any, ticket_a: Ticket) -> None:
    client = api(agent_a)
    data = "سلام".encode() * 10
    response = client.post(
        f"{API}/tickets/{ticket_a.pk}/reply",
        {
            "text": "Fixed, see the file",
            "html": "<b>Fixed</b><img src=x onerror=alert(1)>",
            "resolve": True,
            "expected_version": ticket_a.version,
            "attachments": [
                {
                    "name": "fix.txt",
                    "content_type": "text/plain",
                    "data_base64": base64.b64encode(data).decode(),
                }
            ],
        },
    )
    assert response.status_code == 201, response.content
    message = response.json()
    assert message["direction"] == "outbound"
    assert message["delivery_status"] == "queued"
    assert "onerror" not in message["html"]
    assert message["attachments"][0]["size"] == len(data)
    assert b"".join(client.client.get(message["attachments"][0]["url"]).streaming_content) == data
    ticket = client.get(f"{API}/tickets/{ticket_a.pk}").json()
    assert ticket["status"] == "resolved"
    assert ticket["version"] > ticket_a.version


def test_it_answers_409_on_a_stale_version(api: Any, agent_a: Any, ticket_a: Ticket) -> None:
    client = api(agent_a)
    stale = ticket_a.version
    assert client.post(f"{API}/tickets/{ticket_a.pk}/claim").status_code == 200
    for path, body in [
        ("reply", {"text": "late", "expected_version": stale}),
        ("status", {"status": "pending", "expected_version": stale}),
        ("priority", {"priority": 3, "expected_version": stale}),
        ("tags", {"tags": ["x"], "expected_version": stale}),
        ("assign", {"assignee_id": None, "expected_version": stale}),
        ("unassign", {"expected_version": stale}),
    ]:
        response = client.post(f"{API}/tickets/{ticket_a.pk}/{path}", body)
        assert response.status_code == 409, (path, response.content)
        assert response.json()["field"] == "version"
    assert not Message.objects.filter(ticket=ticket_a, text="late").exists()


def test_it_refuses_an_attachment_over_the_limit_naming_the_field(
    api: Any, agent_a: Any, ticket_a: Ticket, settings: Any
) -> None:
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 10
    big = base64.b64encode(b"x" * 11).decode()
    response = api(agent_a).post(
        f"{API}/tickets/{ticket_a.pk}/notes",
        {"text": "see file", "attachments": [{"name": "big.bin", "data_base64": big}]},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "attachments"
    assert "limit" in response.json()["detail"]


def test_it_runs_every_ticket_action(
    api: Any,
    supervisor_a: Any,
    agent_a: Any,
    email_inbox_a: Any,
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(email_inbox_a)
    other = make_ticket(email_inbox_a)
    client = api(supervisor_a)
    url = f"{API}/tickets/{ticket.pk}"

    def post(path: str, body: Any = None) -> dict[str, Any]:
        response = client.post(f"{url}/{path}", body)
        assert response.status_code in (200, 201), (path, response.content)
        return dict(response.json())

    assert post("claim")["assignee"] == {"id": supervisor_a.pk, "name": "Sara"}
    assert post("unassign")["assignee"] is None
    assert post("assign", {"assignee_id": agent_a.pk})["assignee"]["id"] == agent_a.pk
    assert post("status", {"status": "pending"})["status"] == "pending"
    assert post("priority", {"priority": 4})["priority"] == 4
    assert post("tags", {"tags": [" VIP ", "vip", "Billing"]})["tags"] == ["billing", "vip"]
    snoozed = post("snooze", {"until": "2099-01-01T08:00:00+03:30"})
    assert snoozed["status"] == "snoozed"
    assert snoozed["snoozed_until"].startswith("2099-01-01T04:30:00")
    assert post("notes", {"text": "internal"})["direction"] == "note"
    merged = post("merge", {"target_id": other.pk})
    assert merged["id"] == other.pk
    assert client.get(url).json()["merged_into"] == other.pk
    assert len(client.get(f"{API}/tickets/{other.pk}").json()["messages"]) == 3


def test_it_retries_a_failed_delivery(api: Any, agent_a: Any, ticket_a: Ticket) -> None:
    reply = message_actions.do_reply(agent_a, ticket_a.pk, "Hello")
    client = api(agent_a)
    response = client.post(f"{API}/messages/{reply.pk}/retry")
    assert response.status_code == 422  # still queued, not failed
    message_actions.do_record_delivery(reply.pk, status=DeliveryStatus.FAILED, error="timeout")
    response = client.post(f"{API}/messages/{reply.pk}/retry")
    assert response.status_code == 200, response.content
    assert response.json()["delivery_status"] == "queued"


def test_it_refuses_snoozing_into_the_past(api: Any, agent_a: Any, ticket_a: Ticket) -> None:
    client = api(agent_a)
    response = client.post(f"{API}/tickets/{ticket_a.pk}/snooze", {"until": "2001-01-01T00:00:00Z"})
    assert response.status_code == 422
    assert response.json()["field"] == "until"
    naive = client.post(f"{API}/tickets/{ticket_a.pk}/snooze", {"until": "2099-01-01T00:00:00"})
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "until"
