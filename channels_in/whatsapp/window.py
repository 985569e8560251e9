"""The customer-service window: WhatsApp lets a business write freely for 24 hours
after the customer's last message; after that (or before they ever wrote) only
an approved template may be sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max

from helpdesk.models import Direction, Message

WINDOW = timedelta(hours=24)


def window_closes_at(inbox_id: int, contact_id: int) -> datetime | None:
    """When the contact's window on this inbox closes (or closed); None: they never wrote."""
    last = Message.objects.filter(
        inbox_id=inbox_id, direction=Direction.INBOUND, ticket__contact_id=contact_id
    ).aggregate(last=Max("created_at"))["last"]
    return last + WINDOW if last is not None else None


def window_open(inbox_id: int, contact_id: int, now: datetime) -> bool:
    closes = window_closes_at(inbox_id, contact_id)
    return closes is not None and now < closes
