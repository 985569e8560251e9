"""Work on tickets in Chromium: an outbound email conversation started from the contact
card that the SMTP test server receives, then a macro applied (English, wide); a task
with the Jalali picker on a phone and its reminder in the notification bell (Persian).
"""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from email import policy
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from helpdesk import jalali
from helpdesk.followups.models import Task
from helpdesk.followups.reminders import send_due_reminders
from helpdesk.macros.models import Macro
from helpdesk.models import Agent, Direction, Message, Ticket
from helpdesk.notifications.models import Notification
from helpdesk.tasks import deliver_message
from tests.agents.test_workspace_browser import NO_OVERFLOW, PHONE, WIDE, _ticket, sign_in
from tests.channels_in.email.servers import SmtpRecorder, sending_mailbox
from tests.live import ThreadDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_it_starts_an_email_conversation_the_smtp_server_receives_and_applies_a_macro(
    live_desk: ThreadDesk,
    browser: Browser,
    supervisor_a: Any,
    email_inbox_a: Any,
    smtp: tuple[SmtpRecorder, int],
) -> None:
    recorder, port = smtp
    sending_mailbox(email_inbox_a, port)
    first = _ticket(email_inbox_a, sender="sara@example.com", name="Sara Karimi")
    Macro.objects.create(
        name="Refund sent", add_tags="refund", note_template="Refund for {{contact.name}}"
    )
    page = sign_in(browser, live_desk, supervisor_a, WIDE)
    page.goto(f"/c/{first.contact_id}/")
    page.click("#start-conversation")
    page.fill("#cv-subject", "Your refund")
    page.fill("#cv-text", "Hello Sara, your refund is on its way.")
    page.click("#conversation-form button[type=submit]")
    new = Ticket.objects.exclude(pk=first.pk).get()
    page.wait_for_url(f"{live_desk.url}/t/{new.pk}/")
    expect(page.locator("#timeline")).to_contain_text("your refund is on its way")
    reply = Message.objects.get(ticket=new, direction=Direction.OUTBOUND)
    assert deliver_message.call(reply.pk) == "sent"
    mail = email.message_from_bytes(recorder.received[-1].data, policy=policy.default)
    assert recorder.received[-1].rcpt_tos == ["sara@example.com"]
    assert f"Your refund [#{new.pk}]" in str(mail["Subject"])

    page.click("#macro-button")
    page.click("#macro-menu button:has-text('Refund sent')")
    expect(page.locator("#timeline")).to_contain_text("Refund for Sara Karimi")
    expect(page.locator("#meta")).to_contain_text("refund")
    assert Ticket.objects.get(pk=new.pk).tags == ["refund"]
    assert page.problems == []  # type: ignore[attr-defined]


def test_it_adds_a_task_with_the_jalali_picker_and_rings_its_reminder_in_persian(
    live_desk: ThreadDesk, browser: Browser, agent_a: Any, email_inbox_a: Any
) -> None:
    Agent.objects.filter(user=agent_a).update(language="fa", time_zone="Asia/Tehran")
    ticket = _ticket(email_inbox_a, subject="سفارش ۱۲۳ نرسیده", name="مریم احمدی")
    page = sign_in(browser, live_desk, agent_a, PHONE)
    page.goto(f"/tasks/?ticket={ticket.pk}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("کارها")
    # Due in ten minutes, typed as a Jalali date in the agent's zone (Tehran).
    due = datetime.now(ZoneInfo("Asia/Tehran")) + timedelta(minutes=10)
    y, m, d = jalali.to_jalali(due.date())
    page.fill("#task-title", "تماس با مشتری دربارهٔ سفارش")
    picker = page.locator("#task-due")
    picker.click()
    expect(page.locator("jdp-container")).to_be_visible()
    picker.fill(f"{y}/{m:02d}/{d:02d} {due.hour:02d}:{due.minute:02d}")
    picker.press("Enter")  # submits the form, as from any text field
    row = page.locator("#task-list .task-row").first
    expect(row).to_contain_text("تماس با مشتری دربارهٔ سفارش")
    expect(page.locator('[data-count="mine"]')).to_have_text("۱")
    task = Task.objects.get()
    assert task.ticket_id == ticket.pk and task.due_at is not None
    local = task.due_at.astimezone(ZoneInfo("Asia/Tehran"))
    assert (local.date(), local.hour, local.minute) == (due.date(), due.hour, due.minute)
    assert page.evaluate(NO_OVERFLOW)

    # The scheduler's round after the due time: the bell shows the reminder.
    assert send_due_reminders(task.due_at + timedelta(seconds=1)) == 1
    assert Notification.objects.filter(recipient=agent_a, kind="task_due").count() == 1
    page.reload()
    expect(page.locator("#notif-count")).to_have_text("۱")
    page.click("#notif-button")
    expect(page.locator("#notif-menu .notif-item.unread")).to_contain_text("موعد کار رسید")
    page.keyboard.press("Escape")
    row.locator("button.task-done").click()
    expect(page.locator("#task-list")).to_contain_text("کاری اینجا نیست")
    assert page.problems == []  # type: ignore[attr-defined]
