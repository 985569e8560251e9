"""The demo's notification center: a few notifications for the demo agents, read and
unread, of the kinds the desk sends (runs inside seed's transaction; the triggers add
their own for what the demo's actions do once it commits)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from helpdesk.models import Ticket, TicketStatus
from helpdesk.notifications.actions import notify
from helpdesk.notifications.models import Notification, NotificationKind

K = NotificationKind


def seed_notifications(people: dict[str, Any]) -> int:
    """Notifications for maryam (Persian), david and the admin; returns how many."""
    made = 0
    for username in ("maryam", "david", "admin"):
        user = people[username]
        persian = user.agent.language == "fa"
        open_tickets = Ticket.objects.filter(
            status__in=TicketStatus.active(), team__agents__user=user
        ).order_by("id")
        for n, ticket in enumerate(open_tickets[:3]):
            kind, title = _sample(n, ticket, persian)
            made += len(notify([user], kind, ticket_id=ticket.pk, title=title, body=ticket.subject))
        task = "پیگیری تماس با مشتری" if persian else "Call the customer back about the refund"
        made += len(notify([user], K.TASK_DUE, title=task))
    # The oldest of each agent's are read already, spread over the last hours.
    now = timezone.now()
    for user_id in {people[u].pk for u in ("maryam", "david", "admin")}:
        rows = list(Notification.objects.filter(recipient_id=user_id).order_by("id"))
        for age, note in enumerate(reversed(rows)):
            note.created_at = now - timedelta(minutes=7 + 53 * age)
            if age >= 2:
                note.read_at = note.created_at + timedelta(minutes=5)
        Notification.objects.bulk_update(rows, ["created_at", "read_at"])
    return made


def _sample(n: int, ticket: Ticket, persian: bool) -> tuple[str, str]:
    label = f"#{ticket.pk} {ticket.subject}"
    if n == 0:
        return K.MENTION, (
            f"مدیر در {label} از شما نام برد" if persian else f"Admin mentioned you on {label}"
        )
    if n == 1:
        return K.SLA_DUE_SOON, (
            f"موعد پاسخ {label} نزدیک است" if persian else f"First response due soon: {label}"
        )
    return K.NEW_MESSAGE, (f"پیام تازه در {label}" if persian else f"New message on {label}")
