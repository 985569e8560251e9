"""seed_demo: the demo desk the run command loads, created once."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from config.demo import login_hint
from config.demo_reports import history_tickets
from helpdesk.models import (
    Agent,
    Contact,
    Direction,
    Inbox,
    Message,
    Role,
    Team,
    Ticket,
    TicketEvent,
)

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
