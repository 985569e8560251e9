"""seed_demo: the demo desk the run command loads, created once."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from channels_in.portal.access import viewer_for
from config.demo import login_hint
from config.demo_portal import CUSTOMER
from config.demo_reports import history_tickets
from helpdesk.followups.models import Referral, Task, TaskKind
from helpdesk.macros.models import Macro
from helpdesk.models import (
    Agent,
    Contact,
    ContactIdentity,
    Direction,
    Inbox,
    Message,
    Role,
    Team,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from helpdesk.notifications.models import Notification
from helpdesk.reports import backlog, churn, facts, people, queries
from helpdesk.sla.models import SlaStatus, TicketSla
from tests.helpdesk.reports.test_timeline import rollup_rows

# Each test reads (or changes, rolled back) the one demo desk the module seeds.
pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models: list[Any] = [
        get_user_model(),
        Agent,
        Team,
        Inbox,
        Contact,
        Ticket,
        Message,
        TicketEvent,
    ]
    return {m.__name__: m.objects.count() for m in models}


def test_it_creates_the_demo_once_and_then_changes_nothing(demo_desk: str) -> None:
    first = demo_desk
    counts = _counts()
    second = _seed()
    assert "Created the demo desk" in first
    assert second.strip() == "demo data already present"
    assert _counts() == counts


def test_it_creates_an_admin_two_agents_in_two_teams_and_an_inbox_per_channel(
    demo_desk: str,
) -> None:
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.agent.role == Role.ADMIN
    agents = Agent.objects.filter(role=Role.AGENT)
    assert agents.count() == 2
    assert {a.teams.get().pk for a in agents} == set(Team.objects.values_list("pk", flat=True))
    kinds = set(Inbox.objects.values_list("kind", flat=True))
    assert {
        "email",
        "webchat",
        "telegram",
        "phone",
    } <= kinds


def test_it_creates_a_dozen_tickets_in_persian_and_english_through_ingest(demo_desk: str) -> None:
    # The base demo's channels (channel apps add their own demo tickets beside them).
    tickets = Ticket.objects.filter(inbox__kind__in=["email", "webchat", "telegram", "phone"])
    tickets = tickets.exclude(pk__in=history_tickets())  # the reports' weeks of history
    assert tickets.count() == 12
    assert set(tickets.values_list("inbox__kind", flat=True)) == {
        "email",
        "webchat",
        "telegram",
        "phone",
    }
    subjects = " ".join(tickets.values_list("subject", flat=True))
    assert "فاکتور" in subjects and "Invoice" in subjects
    created = TicketEvent.objects.filter(type="ticket.created", ticket__in=tickets).count()
    assert created == 12
    # The customer's follow-up threaded into its ticket by In-Reply-To.
    persian = Ticket.objects.get(subject="مشکل در پرداخت فاکتور")
    assert persian.messages.filter(direction=Direction.INBOUND).count() == 2


def test_it_records_agent_work_through_actions(demo_desk: str) -> None:
    assert Message.objects.filter(direction=Direction.OUTBOUND, delivery_status="queued").exists()
    assert Message.objects.filter(direction=Direction.NOTE).exists()
    assert TicketEvent.objects.filter(type="ticket.assigned").exists()
    assert Ticket.objects.exclude(assignee=None).exists()


def test_it_prints_a_login_that_works(settings: Any, demo_desk: str) -> None:
    out = demo_desk
    password = (settings.VAR_DIR / "demo-password.txt").read_text(encoding="utf-8").strip()
    assert password in out
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert login_hint() == f"as admin with password {password}"


def test_it_gives_no_login_hint_once_the_password_changed(demo_desk: str) -> None:
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("a-new-secret-passphrase")
    admin.save()
    assert login_hint() is None


def test_it_loads_a_bilingual_faq_a_web_form_a_phone_line_and_automation(demo_desk: str) -> None:
    from channels_in.phone.models import PhoneLine
    from helpdesk.models import InboxAutomation, Rule
    from knowledge_base.suggest import suggest_articles

    assert "/api/v1/cti/" in demo_desk
    assert Inbox.objects.filter(kind="webform").exists()
    assert PhoneLine.objects.filter(inbox__kind="phone").count() == 1
    assert InboxAutomation.objects.filter(acknowledge=True).count() == 1
    assert Rule.objects.filter(enabled=True).count() == 1
    [fa] = suggest_articles("رمز عبورم را فراموش کرده‌ام", "fa", 1)
    [en] = suggest_articles("I forgot my password", "en", 1)
    assert fa.slug == "بازیابی-رمز-عبور" and en.slug == "reset-password"


def test_it_shows_a_reply_that_may_have_been_sent(demo_desk: str) -> None:
    from helpdesk.models import DeliveryStatus

    uncertain = Message.objects.get(delivery_status=DeliveryStatus.UNCERTAIN)
    assert (
        uncertain.direction == Direction.OUTBOUND and "may have arrived" in uncertain.delivery_error
    )


def test_it_shows_a_paused_webhook_with_a_delivery_log(demo_desk: str) -> None:
    from helpdesk.outbound_webhooks.models import Delivery, Subscription

    sub = Subscription.objects.get()
    assert not sub.active and sub.url.startswith("https://shop.example/")
    log = Delivery.objects.filter(subscription=sub)
    assert log.count() >= 5
    assert set(log.values_list("status", flat=True)) == {"succeeded", "failed"}
    assert {"ticket.created", "message.created"} <= set(log.values_list("event_type", flat=True))


# What each capability shows in the demo, read from the same seeded desk.


def test_the_portal_customer_has_tickets_on_several_channels_and_a_dev_sign_in(
    settings: Any, demo_desk: str
) -> None:
    contact = ContactIdentity.objects.get(kind="email", address=CUSTOMER).contact
    viewer = viewer_for(contact.pk)
    assert viewer is not None
    kinds = set(viewer.tickets().values_list("inbox__kind", flat=True))
    assert {"email", "sms", "portal"} <= kinds
    settings.DEBUG = True
    client = Client()
    page = client.post("/portal/fa/sign-in/", {"identity": CUSTOMER.upper()}).content.decode()
    link = re.search(
        r'id="portal-dev-link".*?href="https?://[^/"]+(/portal/fa/link/[^"]+)"', page, re.S
    )
    assert link, page
    assert client.post(link.group(1)).status_code == 302
    home = client.get("/portal/fa/").content.decode()
    assert "تغییر نشانی ارسال" in home and "مشکل در پرداخت فاکتور" in home


def test_it_seeds_tasks_a_referral_and_macros(demo_desk: str) -> None:
    assert Task.objects.count() == 4
    assert Task.objects.filter(kind=TaskKind.CALLBACK).count() == 1
    assert any(t.is_overdue for t in Task.objects.all())
    assert Referral.objects.get().note
    assert TicketEvent.objects.filter(type="ticket.referred").count() == 1
    assert Macro.objects.filter(owner__isnull=True).count() == 2
    assert Macro.objects.filter(owner__isnull=False).count() == 1


def test_it_gives_the_demo_agents_read_and_unread_notifications(demo_desk: str) -> None:
    for username in ("maryam", "david", "admin"):
        mine = Notification.objects.filter(recipient__username=username)
        assert mine.filter(read_at__isnull=True).count() >= 2, username
        assert mine.filter(read_at__isnull=False).exists(), username
    persian = Notification.objects.filter(recipient__username="maryam").first()
    assert persian is not None and any("\u0600" <= c <= "\u06ff" for c in persian.title)


def test_its_four_weeks_of_history_fill_every_report(demo_desk: str) -> None:
    now = timezone.now()
    period = queries.Filters(since=now - timedelta(days=22), until=now)
    summary = queries.summary(period)
    assert summary["conversations_created"] >= 25
    assert summary["conversations_resolved"] >= 12
    assert summary["conversations_reopened"] >= 1
    assert summary["first_response_time"]["median_s"] is not None
    assert summary["csat"]["responses"] >= 4
    heat = queries.heatmap(period, "Asia/Tehran", 6)
    assert sum(map(sum, heat)) == summary["conversations_created"]
    rows = people.agents(period)
    assert rows and max(r["online_s"] for r in rows) > 10 * 3600  # weeks of working days
    assert max(r["away_s"] for r in rows) > 0
    assert len(backlog.tags(period)) >= 3
    days = queries.timeseries(period, "backlog", "day", "Asia/Tehran")
    assert max(p["value"] or 0 for p in days) > 0
    older = queries.Filters(since=now - timedelta(days=29), until=now - timedelta(days=16))
    assert queries.summary(older)["conversations_created"] >= 4  # a few weeks, not two
    last_week = queries.Filters(since=now - timedelta(days=7), until=now)
    assert churn.churn(last_week)["previous_contacts"] > 0
    assert churn.at_risk(period)
    incremental = rollup_rows()
    facts.rebuild_all()
    assert rollup_rows() == incremental


def test_its_sla_covers_the_open_tickets_some_due_soon_and_one_breached(
    settings: Any, demo_desk: str
) -> None:
    open_ids = set(
        Ticket.objects.filter(status__in=TicketStatus.active()).values_list("id", flat=True)
    )
    rows = TicketSla.objects.filter(pk__in=open_ids)
    assert open_ids and {r.ticket_id for r in rows if r.policy_id} == open_ids
    soon = timezone.now() + timedelta(minutes=settings.HELPDESK_SLA_DUE_SOON_MINUTES)
    running_soon = rows.filter(status=SlaStatus.ACTIVE, next_due_at__lte=soon)
    assert running_soon.filter(next_due_at__gt=timezone.now()).count() >= 2  # "some due soon"
    assert rows.filter(status=SlaStatus.BREACHED).count() == 1
    breached = rows.get(status=SlaStatus.BREACHED)
    assert TicketEvent.objects.filter(ticket_id=breached.pk, type="sla.breached").count() == 1
    assert "sla" in Ticket.objects.get(pk=breached.pk).tags  # the breach rule fired
