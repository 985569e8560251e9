"""The inbox over HTML: lists, permission refusals, actions through the views."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from agents.models import CannedResponse
from helpdesk import jalali
from helpdesk.actions.messages import do_record_delivery, do_reply
from helpdesk.actions.tickets import do_assign
from helpdesk.ingest import receive
from helpdesk.models import Agent, DeliveryStatus, Message, Ticket
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_sends_anonymous_visitors_to_the_login(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_keeps_the_login_page(client: Any) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_it_opens_the_inbox_on_mine(login: Any, agent_a: Any, ticket_a: Any) -> None:
    body = login(agent_a).get("/").content.decode()
    assert 'data-list="mine"' in body
    assert "Printer on fire" not in body  # not assigned to alice yet
    do_assign(agent_a, ticket_a.pk, agent_a.pk)
    assert "Printer on fire" in login(agent_a).get("/").content.decode()


def test_it_lists_unassigned_and_team_tickets(login: Any, agent_a: Any, ticket_a: Any) -> None:
    client = login(agent_a)
    assert "Printer on fire" in client.get("/?view=unassigned").content.decode()
    assert "Printer on fire" in client.get("/?view=teams").content.decode()


def test_it_refuses_another_teams_ticket_with_404(login: Any, agent_b: Any, ticket_a: Any) -> None:
    client = login(agent_b)
    assert client.get(f"/t/{ticket_a.pk}/").status_code == 404
    assert client.get(f"/t/{ticket_a.pk}/timeline/").status_code == 404
    assert (
        client.post(f"/t/{ticket_a.pk}/reply/", {"mode": "reply", "text": "x"}).status_code == 404
    )
    assert client.post(f"/t/{ticket_a.pk}/assign/", {"assignee": "me"}).status_code == 404
    assert client.get(f"/c/{ticket_a.contact_id}/").status_code == 404
    assert Message.objects.filter(ticket=ticket_a).count() == 1


def test_it_hides_other_teams_tickets_from_lists_and_search(
    login: Any, agent_b: Any, ticket_a: Any, ticket_b: Any
) -> None:
    body = login(agent_b).get("/?view=teams&q=Printer").content.decode()
    assert "Printer on fire" not in body
    assert "Team B issue" in login(agent_b).get("/?view=teams").content.decode()


def test_it_refuses_all_tickets_list_to_agents(login: Any, agent_a: Any, admin_user: Any) -> None:
    assert 'data-list="all"' not in login(agent_a).get("/").content.decode()
    assert 'data-list="all"' in login(admin_user).get("/").content.decode()


@pytest.mark.parametrize(
    "query",
    ["Printer", "melted", "Customer", "customer@example", "#{number}", "{number}"],
)
def test_it_searches_subject_text_contact_and_number(
    login: Any, agent_a: Any, email_inbox_a: Any, query: str
) -> None:
    ticket = receive(
        factories.inbound(email_inbox_a, subject="Printer on fire", text="It melted the desk")
    ).ticket
    receive(factories.inbound(email_inbox_a, sender="x@other.org", name="Zed", subject="Other"))
    body = login(agent_a).get("/", {"view": "teams", "q": query.format(number=ticket.pk)})
    text = body.content.decode()
    assert f'data-ticket-id="{ticket.pk}"' in text
    assert "Other" not in text.split('id="rows"', 1)[1]


def test_it_searches_ticket_numbers_in_persian_digits(
    login: Any, agent_a: Any, ticket_a: Any
) -> None:
    persian = str(ticket_a.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    body = login(agent_a).get("/", {"view": "teams", "q": persian}).content.decode()
    assert f'data-ticket-id="{ticket_a.pk}"' in body


def test_it_filters_by_channel_priority_and_tag(
    login: Any, agent_a: Any, email_inbox_a: Any, telegram_inbox_a: Any
) -> None:
    mail = receive(factories.inbound(email_inbox_a, subject="By mail")).ticket
    Ticket.objects.filter(pk=mail.pk).update(priority=4, tags=["vip", "billing"])
    receive(factories.inbound(telegram_inbox_a, sender="12345", subject="By telegram"))
    client = login(agent_a)

    def rows(params: dict[str, str]) -> str:
        body: str = client.get("/inbox/list/", params).content.decode()
        return body

    assert "By telegram" not in rows({"view": "teams", "channel": "email"})
    assert "By mail" in rows({"view": "teams", "channel": "email"})
    assert "By telegram" not in rows({"view": "teams", "priority": "4"})
    assert "By mail" in rows({"view": "teams", "tag": "vip"})
    assert "By mail" not in rows({"view": "teams", "tag": "vi"})


def test_it_pages_with_a_keyset_cursor(login: Any, agent_a: Any, email_inbox_a: Any) -> None:
    for i in range(30):
        receive(factories.inbound(email_inbox_a, sender=f"c{i}@example.com", subject=f"S{i}"))
    client = login(agent_a)
    first = client.get("/inbox/list/", {"view": "teams"})
    cursor = first.context["next_cursor"]
    assert len(first.context["tickets"]) == 25 and cursor
    second = client.get("/inbox/list/", {"view": "teams", "cursor": cursor})
    ids = [t.pk for t in first.context["tickets"]] + [t.pk for t in second.context["tickets"]]
    assert len(ids) == len(set(ids)) == 30
    assert second.context["next_cursor"] == ""


def test_it_lists_with_a_constant_number_of_queries(
    login: Any, agent_a: Any, email_inbox_a: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(agent_a)
    receive(factories.inbound(email_inbox_a, sender="one@example.com"))
    client.get("/")  # warm the session
    with django_assert_max_num_queries(30) as few:
        client.get("/?view=teams")
    for i in range(20):
        ticket = receive(factories.inbound(email_inbox_a, sender=f"m{i}@example.com")).ticket
        Ticket.objects.filter(pk=ticket.pk).update(tags=["a", "b"], assignee=agent_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/?view=teams")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/inbox/list/?view=teams")


def test_it_counts_each_list(login: Any, agent_a: Any, ticket_a: Any) -> None:
    counts = login(agent_a).get("/inbox/nav/").context["counts"]
    assert counts["unassigned"] == 1 and counts["mine"] == 0 and counts["status_new"] == 1


def test_it_shows_one_timeline_with_channel_delivery_and_events(
    login: Any, agent_a: Any, ticket_a: Any, telegram_inbox_a: Any
) -> None:
    do_assign(agent_a, ticket_a.pk, agent_a.pk)
    reply = do_reply(agent_a, ticket_a.pk, "We are on it")
    do_record_delivery(reply.pk, status=DeliveryStatus.FAILED, error="mailbox full")
    body = login(agent_a).get(f"/t/{ticket_a.pk}/").content.decode()
    assert "via Email" in body
    assert "We are on it" in body
    assert "mailbox full" in body and f"/m/{reply.pk}/retry/" in body  # raw, in the details
    assert "Not delivered: The channel reported an error." in body
    # Names isolated, so a Persian name keeps its place in an English sentence.
    assert "<bdi>Alice</bdi> assigned the ticket to <bdi>Alice</bdi>" in body
    assert 'class="body" dir="auto"' in body


def test_it_replies_notes_and_resolves(login: Any, agent_a: Any, ticket_a: Any) -> None:
    client = login(agent_a)
    url = f"/t/{ticket_a.pk}/reply/"
    assert client.post(url, {"mode": "note", "text": "internal"}).status_code == 302
    response = client.post(
        url, {"mode": "reply", "text": "done", "resolve": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204 and response["HX-Trigger"] == "desk:ticket-changed"
    ticket_a.refresh_from_db()
    assert ticket_a.status == "resolved"
    kinds = list(Message.objects.filter(ticket=ticket_a).values_list("direction", flat=True))
    assert kinds == ["inbound", "note", "outbound"]


def test_it_sends_attachments_with_a_reply(login: Any, agent_a: Any, ticket_a: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("invoice.txt", b"total: 10", content_type="text/plain")
    response = login(agent_a).post(
        f"/t/{ticket_a.pk}/reply/", {"mode": "reply", "text": "see file", "attachments": [upload]}
    )
    assert response.status_code == 302
    message = Message.objects.get(ticket=ticket_a, direction="outbound")
    assert [a.name for a in message.attachments.all()] == ["invoice.txt"]


def test_it_refuses_an_empty_reply_with_a_reason(login: Any, agent_a: Any, ticket_a: Any) -> None:
    response = login(agent_a).post(f"/t/{ticket_a.pk}/reply/", {"mode": "reply", "text": " "})
    assert response.status_code == 422
    assert "empty" in response.content.decode()


def test_it_claims_sets_status_priority_tags_and_snooze(
    login: Any, agent_a: Any, ticket_a: Any
) -> None:
    client = login(agent_a)
    base = f"/t/{ticket_a.pk}"
    client.post(f"{base}/assign/", {"assignee": "me"})
    client.post(f"{base}/priority/", {"priority": "3"})
    client.post(f"{base}/tags/", {"tags": "VIP, billing،refund"})
    ticket_a.refresh_from_db()
    assert (ticket_a.assignee_id, ticket_a.priority) == (agent_a.pk, 3)
    assert ticket_a.tags == ["billing", "refund", "vip"]
    until = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"{base}/snooze/", {"until": until}).status_code == 302
    ticket_a.refresh_from_db()
    assert ticket_a.status == "snoozed" and ticket_a.snoozed_until is not None
    client.post(f"{base}/status/", {"status": "closed"})
    ticket_a.refresh_from_db()
    assert ticket_a.status == "closed"


def test_it_refuses_assigning_others_without_supervisor_rights(
    login: Any, agent_a: Any, agent_a2: Any, ticket_a: Any
) -> None:
    response = login(agent_a).post(f"/t/{ticket_a.pk}/assign/", {"assignee": str(agent_a2.pk)})
    assert response.status_code == 403
    ticket_a.refresh_from_db()
    assert ticket_a.assignee_id is None


def test_it_retries_a_failed_delivery(login: Any, agent_a: Any, ticket_a: Any) -> None:
    reply = do_reply(agent_a, ticket_a.pk, "hello")
    do_record_delivery(reply.pk, status=DeliveryStatus.FAILED, error="boom")
    assert login(agent_a).post(f"/m/{reply.pk}/retry/").status_code == 302
    reply.refresh_from_db()
    assert reply.delivery_status == "queued"


def test_it_applies_bulk_actions_only_to_readable_tickets(
    login: Any, agent_a: Any, ticket_a: Any, ticket_b: Any, email_inbox_a: Any
) -> None:
    other = receive(factories.inbound(email_inbox_a, sender="z@example.com")).ticket
    response = login(agent_a).post(
        "/inbox/bulk/", {"op": "claim", "ids": [ticket_a.pk, other.pk, ticket_b.pk]}
    )
    assert response.status_code == 302
    assert set(Ticket.objects.filter(assignee=agent_a).values_list("pk", flat=True)) == {
        ticket_a.pk,
        other.pk,
    }
    # With htmx the answer says how many changed and how many were skipped.
    tagged = login(agent_a).post(
        "/inbox/bulk/",
        {"op": "tag", "tag": "Urgent", "ids": [ticket_a.pk, ticket_b.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert tagged.status_code == 204
    assert json.loads(tagged["HX-Trigger"]) == {
        "desk:list-changed": None,
        "desk:toast": {"message": "1 updated, 1 skipped"},
    }
    ticket_a.refresh_from_db()
    assert ticket_a.tags == ["urgent"]
    ticket_b.refresh_from_db()
    assert ticket_b.assignee_id is None


def test_it_shows_the_contact_sidebar_edits_and_merges(
    login: Any, supervisor_a: Any, agent_a: Any, ticket_a: Any, telegram_inbox_a: Any
) -> None:
    other = receive(factories.inbound(telegram_inbox_a, sender="777", name="Same person")).ticket
    assert "Merge another contact" not in login(agent_a).get(f"/t/{ticket_a.pk}/").content.decode()
    client = login(supervisor_a)
    body = client.get(f"/t/{ticket_a.pk}/").content.decode()
    assert "customer@example.com" in body and "Identities" in body
    client.post(
        f"/c/{ticket_a.contact_id}/edit/",
        {"name": "Maryam", "language": "fa", "preferred_channel": "email", "notes": "VIP"},
    )
    response = client.post(f"/c/{ticket_a.contact_id}/merge/", {"other": other.contact_id})
    assert response.status_code == 302, response.content
    sidebar = client.get(f"/c/{ticket_a.contact_id}/").content.decode()
    assert "Maryam" in sidebar and "777" in sidebar and f"#{other.pk}" in sidebar


def test_it_switches_the_language_per_agent(login: Any, agent_a: Any, ticket_a: Any) -> None:
    client = login(agent_a)
    assert client.post("/me/language/", {"language": "fa"}).status_code == 302
    agent_a.agent.refresh_from_db()
    assert agent_a.agent.language == "fa"
    body = client.get(f"/t/{ticket_a.pk}/").content.decode()
    assert 'lang="fa" dir="rtl"' in body
    persian_number = str(ticket_a.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"#{persian_number}" in body
    assert "صندوق" in body  # "Inbox" from the fa catalogue
    # Dates in the Iranian calendar: the timeline shows when the message came.
    message = ticket_a.messages.get()
    with timezone.override(agent_a.agent.time_zone or settings.DISPLAY_TIME_ZONE):
        assert jalali.short_datetime(message.created_at) in body


def test_it_offers_own_and_shared_canned_responses_only(
    login: Any, agent_a: Any, agent_a2: Any, team_a: Any, team_b: Any, ticket_a: Any
) -> None:
    CannedResponse.objects.create(owner=agent_a, shortcut="mine", title="t", body="b")
    CannedResponse.objects.create(team=team_a, shortcut="team-a", title="t", body="b")
    CannedResponse.objects.create(shortcut="everyone", title="t", body="b")
    CannedResponse.objects.create(owner=agent_a2, shortcut="arash", title="t", body="b")
    CannedResponse.objects.create(team=team_b, shortcut="team-b", title="t", body="b")
    canned = login(agent_a).get(f"/t/{ticket_a.pk}/").context["canned"]
    assert [c["shortcut"] for c in canned] == ["everyone", "mine", "team-a"]


def test_it_translates_a_delivery_failure_and_keeps_the_raw_error(
    login: Any, agent_a: Any, ticket_a: Any
) -> None:
    Agent.objects.filter(user=agent_a).update(language="fa")
    reply = do_reply(agent_a, ticket_a.pk, "پاسخ")
    raw = "SMTP server refused: 550 mailbox unavailable"
    do_record_delivery(reply.pk, status=DeliveryStatus.FAILED, error=raw)
    body = login(agent_a).get(f"/t/{ticket_a.pk}/").content.decode()
    assert "تحویل نشد: سرور ایمیل پیام را نپذیرفت." in body
    assert f'<code class="raw-error d-block text-break" dir="ltr" lang="en">{raw}</code>' in body
