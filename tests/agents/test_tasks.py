"""The tasks page and the work-on-tickets controls of the inbox (server side)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.followups.actions import do_create_task
from helpdesk.followups.models import Referral, Task, TaskStatus
from helpdesk.macros.models import Macro
from helpdesk.models import Direction, Message, Ticket, TicketEvent
from tests import factories
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db


def test_it_lists_my_team_and_overdue_tasks_with_counts_in_bounded_queries(
    login: Any, agent_a: Any, agent_a2: Any, team_a: Any, django_assert_max_num_queries: Any
) -> None:
    past = timezone.now() - timedelta(hours=1)
    do_create_task(agent_a, title="Call Sara back", due_at=past)
    do_create_task(agent_a2, title="Team chore", team_id=team_a.pk)
    do_create_task(agent_a2, title="Bob's own")
    client = login(agent_a)
    with django_assert_max_num_queries(14):
        page = client.get("/tasks/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Call Sara back" in body and "Team chore" not in body and "Bob's own" not in body
    assert 'data-count="mine">1<' in body and 'data-count="overdue">1<' in body
    assert 'data-count="team">1<' in body
    team = client.get("/tasks/", {"list": "team"}).content.decode()
    assert "Team chore" in team and "Call Sara back" not in team
    assert 'href="/tasks/"' in body  # in the top bar


def test_it_creates_a_task_from_the_form_with_a_due_time_in_the_agents_zone(
    login: Any, agent_a: Any, ticket_a: Ticket
) -> None:
    client = login(agent_a)
    response = client.post(
        "/tasks/new/",
        {
            "title": "Send the invoice",
            "due_at": "2030-01-02T09:30",
            "assignee": agent_a.pk,
            "ticket": ticket_a.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204 and response["HX-Trigger"] == "desk:task-changed"
    task = Task.objects.get()
    assert task.ticket_id == ticket_a.pk and task.due_at is not None
    # 09:30 in the agent's zone (Tehran, UTC+03:30).
    assert task.due_at == datetime(2030, 1, 2, 6, 0, tzinfo=UTC)
    refused = client.post("/tasks/new/", {"title": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422


def test_it_makes_a_follow_up_in_one_click_from_a_ticket_a_contact_and_a_call(
    login: Any, agent_a: Any, ticket_a: Ticket, team_a: Any
) -> None:
    client = login(agent_a)
    assert client.post("/tasks/quick/", {"ticket": ticket_a.pk}).status_code == 302
    assert client.post("/tasks/quick/", {"contact": ticket_a.contact_id}).status_code == 302
    phone = factories.make_inbox(team_a, "phone")
    call_ticket = open_ticket(phone, sender="+989121234567")
    call = Message.objects.filter(ticket=call_ticket).first()
    assert call is not None
    Message.objects.filter(pk=call.pk).update(
        channel_meta={"call": {"call_id": 7, "number": "+989121234567"}}
    )
    assert client.post("/tasks/quick/", {"message": call.pk}).status_code == 302
    by_ticket, by_contact, by_call = Task.objects.order_by("id")
    assert by_ticket.ticket_id == ticket_a.pk and by_ticket.assignee_id == agent_a.pk
    assert by_contact.contact_id == ticket_a.contact_id and by_contact.ticket_id is None
    assert (by_call.call_id, by_call.call_number, by_call.ticket_id) == (
        7,
        "+989121234567",
        call_ticket.pk,
    )
    assert all(t.due_at and t.due_at > timezone.now() for t in (by_ticket, by_contact, by_call))


def test_it_finishes_and_refers_tasks_and_refuses_other_teams(
    login: Any, agent_a: Any, agent_a2: Any, agent_b: Any
) -> None:
    task = do_create_task(agent_a, title="Chase the refund")
    client = login(agent_a)
    client.post(f"/tasks/{task.pk}/refer/", {"to_user": agent_a2.pk, "note": "yours"})
    task.refresh_from_db()
    assert task.assignee_id == agent_a2.pk and Referral.objects.get().note == "yours"
    client.post(f"/tasks/{task.pk}/status/", {"status": "done"})
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert login(agent_b).post(f"/tasks/{task.pk}/status/", {"status": "open"}).status_code == 404


def test_it_shows_the_work_controls_on_a_ticket_and_applies_a_macro(
    login: Any, supervisor_a: Any, agent_a2: Any, ticket_a: Ticket
) -> None:
    macro = Macro.objects.create(name="Close as spam", add_tags="spam", status="closed")
    client = login(supervisor_a)
    page = client.get(f"/t/{ticket_a.pk}/").content.decode()
    for marker in ('id="macro-menu"', 'id="refer-form"', 'id="quick-task-form"', 'id="merge-form"'):
        assert marker in page, marker
    assert 'id="split-form"' not in page  # one message: nothing to split
    assert client.post(f"/t/{ticket_a.pk}/macro/", {"macro": macro.pk}).status_code == 302
    ticket_a.refresh_from_db()
    assert ticket_a.tags == ["spam"] and ticket_a.status == "closed"
    client.post(f"/t/{ticket_a.pk}/refer/", {"to_user": agent_a2.pk, "note": "VIP"})
    timeline = client.get(f"/t/{ticket_a.pk}/timeline/").content.decode()
    assert "referred <bdi>the ticket</bdi> to <bdi>Arash</bdi>" in timeline and "VIP" in timeline


def test_it_applies_a_macro_to_the_selected_tickets_in_bulk(
    login: Any, agent_a: Any, ticket_a: Ticket, ticket_b: Ticket, email_inbox_a: Any
) -> None:
    other = open_ticket(email_inbox_a, sender="else@example.com")
    macro = Macro.objects.create(name="Tag VIP", add_tags="vip")
    response = login(agent_a).post(
        "/inbox/bulk/",
        {"op": "macro", "macro": macro.pk, "ids": [ticket_a.pk, other.pk, ticket_b.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert "2 updated, 1 skipped" in response["HX-Trigger"]
    assert set(Ticket.objects.filter(tags__contains=["vip"]).values_list("id", flat=True)) == {
        ticket_a.pk,
        other.pk,
    }


def test_it_splits_and_merges_tickets_from_the_ticket_page(
    login: Any, supervisor_a: Any, agent_a: Any, email_inbox_a: Any
) -> None:
    ticket = open_ticket(email_inbox_a, sender="two@example.com")
    open_ticket(email_inbox_a, sender="two@example.com", ticket_number=ticket.pk, text="Also this")
    second = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert second is not None
    assert (
        login(agent_a).post(f"/t/{ticket.pk}/split/", {"message": [second.pk]}).status_code == 403
    )
    client = login(supervisor_a)
    assert 'id="split-form"' in client.get(f"/t/{ticket.pk}/").content.decode()
    split = client.post(
        f"/t/{ticket.pk}/split/",
        {"message": [second.pk], "subject": "Other"},
        HTTP_HX_REQUEST="true",
    )
    new = Ticket.objects.get(subject="Other")
    assert split["HX-Redirect"] == f"/t/{new.pk}/"
    merged = client.post(f"/t/{new.pk}/merge/", {"target": ticket.pk})
    assert merged.status_code == 302 and merged["Location"] == f"/t/{ticket.pk}/"
    assert Message.objects.filter(ticket=ticket).count() == 2


def test_it_starts_a_conversation_from_the_contact_page(
    login: Any, agent_a: Any, ticket_a: Ticket, email_inbox_a: Any
) -> None:
    client = login(agent_a)
    contact_page = client.get(f"/c/{ticket_a.contact_id}/").content.decode()
    assert 'id="start-conversation"' in contact_page
    form = client.get("/conversations/new/", {"contact": ticket_a.contact_id}).content.decode()
    assert f'value="{email_inbox_a.pk}"' in form
    response = client.post(
        "/conversations/new/",
        {
            "contact": ticket_a.contact_id,
            "inbox": email_inbox_a.pk,
            "subject": "Your order",
            "text": "It shipped.",
        },
    )
    new = Ticket.objects.exclude(pk=ticket_a.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/t/{new.pk}/"
    assert new.contact_id == ticket_a.contact_id and new.assignee_id == agent_a.pk
    reply = Message.objects.get(ticket=new)
    assert reply.direction == Direction.OUTBOUND and reply.text == "It shipped."
    assert TicketEvent.objects.filter(ticket=new, type="ticket.created").exists()


def test_it_starts_a_conversation_with_a_new_contact_and_explains_a_refusal(
    login: Any, agent_a: Any, email_inbox_a: Any, telegram_inbox_a: Any
) -> None:
    client = login(agent_a)
    refused = client.post(
        "/conversations/new/",
        {"email": "new@example.com", "inbox": telegram_inbox_a.pk, "text": "Hi"},
    )
    assert refused.status_code == 422 and "no address on" in refused.content.decode()
    made = client.post(
        "/conversations/new/",
        {"name": "Reza", "email": "reza@example.com", "inbox": email_inbox_a.pk, "text": "Hi"},
    )
    assert made.status_code == 302
    assert Ticket.objects.get().contact.name == "Reza"


def test_it_lets_an_agent_keep_personal_macros_and_apply_them(
    login: Any, agent_a: Any, agent_a2: Any, ticket_a: Ticket
) -> None:
    Macro.objects.create(name="Shared thanks", add_tags="thanks")
    client = login(agent_a)
    made = client.post(
        "/macros/",
        {"name": "My apology", "note_template": "Sorry {{contact.name}}", "assign": "me"},
    )
    assert made.status_code == 302
    mine = Macro.objects.get(name="My apology")
    assert mine.owner_id == agent_a.pk
    refused = client.post("/macros/", {"name": "Give away", "assign": "agent"})
    assert refused.status_code == 422 and not Macro.objects.filter(name="Give away").exists()
    page = client.get("/macros/").content.decode()
    assert "My apology" in page and "Shared thanks" in page
    assert "My apology" not in login(agent_a2).get("/macros/").content.decode()
    client.post(f"/t/{ticket_a.pk}/macro/", {"macro": mine.pk})
    ticket_a.refresh_from_db()
    assert ticket_a.assignee_id == agent_a.pk
    assert Message.objects.get(ticket=ticket_a, direction=Direction.NOTE).text == "Sorry A Customer"
    login(agent_a2).post(f"/macros/{mine.pk}/delete/")
    assert Macro.objects.filter(pk=mine.pk).exists()  # not theirs
    client.post(f"/macros/{mine.pk}/delete/")
    assert not Macro.objects.filter(pk=mine.pk).exists()
