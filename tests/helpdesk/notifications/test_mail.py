"""Notification mail through the team's mailbox: at once at work, a digest after hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from channels_in.email.models import MailboxConfig
from helpdesk.models import BusinessHours, InboxAutomation, Ticket
from helpdesk.notifications.actions import do_mark_read, notify
from helpdesk.notifications.hours import next_opening, working_hours_for
from helpdesk.notifications.mail import send_pending
from helpdesk.notifications.models import EmailState, Notification, NotificationKind
from tests.channels_in.email.servers import mails, sending_mailbox
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
K = NotificationKind


@pytest.fixture
def hours(email_inbox_a: Any) -> BusinessHours:
    """Saturday to Wednesday 08:00-16:00 in Tehran, Thursday mornings, Nowruz off."""
    week = {d: [["08:00", "16:00"]] for d in ("sat", "sun", "mon", "tue", "wed")}
    week["thu"] = [["08:00", "12:00"]]
    found = BusinessHours.objects.create(
        name="Office", weekly=week, holidays=["2027-03-21", "2027-03-22"]
    )
    InboxAutomation.objects.create(inbox=email_inbox_a, business_hours=found)
    return found


@pytest.fixture
def mailbox(email_inbox_a: Any, smtp: Any) -> MailboxConfig:
    return sending_mailbox(email_inbox_a, smtp[1], from_name="Desk")


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TEHRAN)


def test_it_finds_the_next_working_moment(hours: BusinessHours, agent_a: Any) -> None:
    assert working_hours_for(agent_a.pk) == hours
    wednesday_evening = at(2026, 12, 2, 20, 0)
    assert next_opening(hours, wednesday_evening) == at(2026, 12, 3, 8, 0)  # Thursday
    thursday_noon = at(2026, 12, 3, 12, 30)
    assert next_opening(hours, thursday_noon) == at(2026, 12, 5, 8, 0)  # Friday is off
    assert next_opening(hours, at(2026, 12, 5, 9, 0)) == at(2026, 12, 5, 9, 0)  # open now
    before_nowruz = at(2027, 3, 20, 17, 0)  # Saturday; Sunday and Monday are holidays
    assert next_opening(hours, before_nowruz) == at(2027, 3, 23, 8, 0)


def test_it_gathers_mail_after_hours_into_one_digest_at_the_next_opening(
    hours: BusinessHours,
    mailbox: MailboxConfig,
    smtp: Any,
    email_inbox_a: Any,
    agent_a: Any,
    commits: Any,
) -> None:
    recorder = smtp[0]
    agent_a.email = "alice@staff.example"
    agent_a.save()
    ticket: Ticket = open_ticket(email_inbox_a, subject="Refund")
    with commits():
        notify([agent_a], K.SLA_BREACHED, ticket_id=ticket.pk, title="SLA breached: #1 Refund")
        notify([agent_a], K.TASK_DUE, title="Call Mr. Rezaei back")
        read = notify([agent_a], K.MENTION, ticket_id=ticket.pk, title="Sara mentioned you")
        notify([agent_a], K.ASSIGNED, ticket_id=ticket.pk, title="not mailed by default")
    do_mark_read(agent_a.pk, [read[0].pk])  # read in the desk before the mail left: not mailed
    queued = DBTaskResult.objects.filter(task_path__endswith="send_notification_mail")
    assert queued.count() == 3  # one per mailed notification; the first run sends them all

    night = at(2026, 12, 3, 23, 0)
    assert send_pending(agent_a.pk, night) == "held until working hours"
    assert recorder.received == []
    held = queued.order_by("-id").first()
    assert held is not None and held.run_after == at(2026, 12, 5, 8, 0)

    assert send_pending(agent_a.pk, at(2026, 12, 5, 8, 0)) == "sent 2"
    (mail,) = mails(recorder)
    assert mail["To"] == "alice@staff.example" and "support@desk.example" in mail["From"]
    assert mail["Subject"] == "2 notifications from the help desk"
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "SLA breached: #1 Refund" in text and "Call Mr. Rezaei back" in text
    assert "Sara mentioned you" not in text and f"/t/{ticket.pk}/" in text
    states = dict(Notification.objects.values_list("title", "email_state"))
    assert states["Sara mentioned you"] == EmailState.SKIPPED
    assert states["not mailed by default"] == EmailState.NONE
    assert send_pending(agent_a.pk, at(2026, 12, 5, 8, 1)) == "nothing to send"


def test_it_mails_one_at_once_during_working_hours_in_the_agents_language(
    hours: BusinessHours, mailbox: MailboxConfig, smtp: Any, agent_a: Any
) -> None:
    agent_a.email = "alice@staff.example"
    agent_a.save()
    agent_a.agent.language = "fa"
    agent_a.agent.save()
    notify([agent_a], K.TASK_DUE, title="پیگیری سفارش ۱۲", body="امروز تماس بگیرید")
    assert send_pending(agent_a.pk, at(2026, 12, 5, 10, 0)) == "sent 1"
    (mail,) = mails(smtp[0])
    assert mail["Subject"] == "پیگیری سفارش ۱۲"


def test_it_skips_mail_when_no_team_mailbox_can_send(hours: BusinessHours, agent_a: Any) -> None:
    agent_a.email = "alice@staff.example"
    agent_a.save()
    notify([agent_a], K.TASK_DUE, title="x")
    assert send_pending(agent_a.pk, at(2026, 12, 5, 10, 0)).startswith("skipped")
    assert Notification.objects.get().email_state == EmailState.SKIPPED


def test_it_writes_the_persian_digest_with_jalali_times_and_ascii_links(agent_a: Any) -> None:
    from django.utils import translation

    from helpdesk.notifications.mail import compose

    rows = [
        Notification(title="تماس بی‌پاسخ", url="/t/12/", created_at=at(2026, 12, 3, 9, 5)),
        Notification(title="پیام تازه", url="", created_at=at(2026, 12, 3, 10, 0)),
    ]
    with translation.override("fa"):
        subject, text = compose(rows, "Asia/Tehran")
    assert subject == "۲ اعلان از میز پشتیبانی"
    assert "۱۴۰۵/۰۹/۱۲ ۰۹:۰۵ تماس بی‌پاسخ" in text and "/t/12/" in text


def test_it_mails_nothing_about_a_ticket_moved_out_of_the_agents_teams(
    hours: BusinessHours, agent_a: Any, email_inbox_a: Any, team_b: Any
) -> None:
    agent_a.email = "alice@staff.example"
    agent_a.save()
    ticket = open_ticket(email_inbox_a, subject="Secret merger")
    notify([agent_a], K.MENTION, ticket_id=ticket.pk, title="Secret merger")
    Ticket.objects.filter(pk=ticket.pk).update(team=team_b)
    assert send_pending(agent_a.pk, at(2026, 12, 5, 10, 0)) == "nothing to send"
    assert Notification.objects.get().email_state == EmailState.SKIPPED
