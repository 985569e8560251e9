"""The WhatsApp channel's event: a status WhatsApp reported for an outbound message."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from helpdesk.event_schemas import EventSchema


class WhatsAppStatusChanged(EventSchema):
    type: ClassVar[str] = "whatsapp.status"

    ticket_id: int
    message_id: int
    status: str  # sent | delivered | read | failed
    at: datetime
    error: str = ""
