"""Each notification is written in its recipient's language, not the triggering one's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from helpdesk.models import Agent, Ticket
from helpdesk.notifications.actions import notify
from helpdesk.notifications.models import Notification, NotificationKind
from helpdesk.sla.notify import tell
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def ticket(email_inbox_a: Any, agent_a: Any, agent_a2: Any) -> Ticket:
    Agent.objects.filter(user=agent_a2).update(language="fa")  # arash reads Persian
    Agent.objects.filter(user=agent_a).update(language="en")
    return open_ticket(email_inbox_a, subject="Printer on fire")


def _titles(**filters: Any) -> dict[str, str]:
    rows = Notification.objects.filter(**filters).select_related("recipient")
    return {n.recipient.get_username(): n.title for n in rows}


@pytest.mark.parametrize("trigger_language", ["fa", "en"])
def test_it_writes_an_sla_breach_in_each_recipients_language(
    ticket: Ticket, agent_a: Any, agent_a2: Any, trigger_language: str
) -> None:
    due = timezone.now() - timedelta(minutes=1)
    with translation.override(trigger_language):  # the scheduler, or a request in Persian
        tell("sla_breached", ticket, "first_response", due, {agent_a.pk, agent_a2.pk})
    titles = _titles(kind=NotificationKind.SLA_BREACHED)
    assert titles["alice"] == f"SLA breached: First response on #{ticket.pk}"
    assert titles["arash"] == f"نقض SLA: اولین پاسخ در #{ticket.pk}"


def test_it_writes_a_disabled_webhook_notice_in_each_admins_language(
    admin_user: Any, django_user_model: Any
) -> None:
    from helpdesk.models import Role
    from helpdesk.outbound_webhooks.actions import _tell_admins
    from helpdesk.outbound_webhooks.models import Subscription

    persian = django_user_model.objects.create_user("parisa", password="x")
    Agent.objects.create(user=persian, role=Role.ADMIN, language="fa")
    Agent.objects.filter(user=admin_user).update(language="en")
    sub = Subscription.objects.create(
        name="CRM", url="https://crm.example/hook", consecutive_failures=3
    )
    with translation.override("fa"):
        _tell_admins(sub, "3 deliveries in a row failed")
    rows = {n.recipient_id: n for n in Notification.objects.filter(kind="webhook_disabled")}
    assert rows[admin_user.pk].title == "Webhook “CRM” was turned off"
    assert rows[admin_user.pk].body.startswith("3 deliveries in a row failed")
    assert rows[persian.pk].title == "وب‌هوک «CRM» خاموش شد"
    assert rows[persian.pk].body != rows[admin_user.pk].body


def test_it_keeps_a_fixed_text_as_given(ticket: Ticket, agent_a2: Any) -> None:
    (note,) = notify([agent_a2], NotificationKind.ASSIGNED, ticket_id=ticket.pk, title="Zahra")
    assert note.title == "Zahra"
