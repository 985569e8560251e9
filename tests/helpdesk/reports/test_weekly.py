"""The weekly report mail to team leads, through the team's mailbox, to a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import translation

from channels_in.email.models import MailboxConfig
from helpdesk.actions.messages import do_reply
from helpdesk.reports import weekly
from helpdesk.reports.models import WeeklyMailState, WeeklyReportMail
from tests.channels_in.email.servers import mails, sending_mailbox
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.reports.conftest import local
from tests.helpdesk.sla.conftest import Clock

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def mailbox(email_inbox_a: Any, smtp: Any) -> MailboxConfig:
    return sending_mailbox(email_inbox_a, smtp[1], from_name="Desk")


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_it_mails_each_team_lead_the_last_weeks_figures_once(
    clock: Clock,
    settings: Any,
    smtp: Any,
    mailbox: MailboxConfig,
    email_inbox_a: Any,
    agent_a: Any,
    supervisor_a: Any,
    committed: Callable[..., Any],
) -> None:
    recorder = smtp[0]
    supervisor_a.email = "lead@staff.example"
    supervisor_a.save()
    agent_a.email = "agent@staff.example"  # not a lead: no mail
    agent_a.save()
    lead = supervisor_a.agent
    lead.language, lead.time_zone = "fa", "Asia/Tehran"
    lead.save(update_fields=["language", "time_zone"])
    clock.now = local(10, 9)  # Tuesday 10 November
    ticket = committed(open_ticket, email_inbox_a, subject="Refund")
    clock.now = local(10, 9, 30)
    committed(do_reply, agent_a, ticket.pk, "Done")
    clock.now = local(14, 7, 59)  # Saturday the 14th, before 08:00: not yet
    assert weekly.send_due(local(14, 7, 59)) == 0  # off by default
    settings.HELPDESK_REPORTS_WEEKLY_MAIL = True
    assert weekly.send_due(local(14, 7, 59)) == 0
    assert weekly.send_due(local(14, 8, 0)) == 1
    assert weekly.send_due(local(14, 9, 0)) == 0  # once a week
    (mail,) = mails(recorder)
    assert mail["To"] == "lead@staff.example" and "support@desk.example" in mail["From"]
    assert "Weekly" not in mail["Subject"] and "۱۴۰۵" in mail["Subject"]  # Persian, Jalali
    text = text_of(mail)
    # Sat 7 - Fri 13 November: one conversation created, answered in 30 minutes, open.
    lines = text.splitlines()
    assert lines[2].endswith(": ۱") and lines[5].endswith(": ۳۰ دقیقه")
    assert lines[-1].endswith(f"/reports/?team={ticket.team_id}&since=2026-11-07&until=2026-11-13")
    row = WeeklyReportMail.objects.get()
    assert (row.lead_id, row.week_start.isoformat(), row.state) == (
        supervisor_a.pk,
        "2026-11-14",
        WeeklyMailState.SENT,
    )


def test_it_composes_the_figures_in_english_from_monday(
    clock: Clock, email_inbox_a: Any, agent_a: Any, supervisor_a: Any, committed: Callable[..., Any]
) -> None:
    supervisor_a.email = "lead@staff.example"
    supervisor_a.save()
    lead = supervisor_a.agent
    lead.language, lead.time_zone = "en", "UTC"
    lead.save(update_fields=["language", "time_zone"])
    clock.now = local(10, 9)
    ticket = committed(open_ticket, email_inbox_a, subject="Refund")
    clock.now = local(10, 9, 30)
    committed(do_reply, agent_a, ticket.pk, "Done")
    start, due_at = weekly.week_start_of(lead, local(17, 12))
    assert start.isoformat() == "2026-11-16" and due_at.hour == 8  # Monday 08:00 UTC
    item = next(d for d in weekly.due(local(17, 12)) if d.agent == lead)
    with translation.override("en"):
        subject, text = weekly.compose(item)
    assert subject == "Weekly report of Team A, 09 Nov 2026 – 15 Nov 2026"
    assert "- Conversations created: 1" in text and "- First response (median): 30 min" in text
    assert "- Open at the end of the week: 1" in text
    assert "since=2026-11-09&until=2026-11-15" in text
