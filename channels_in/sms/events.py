"""The SMS channel's event: a text's delivery state moved (declared in channel.SPEC).

The core's delivery states end at "sent"; this event carries what the provider
said after that (delivered, not delivered), so the open ticket updates live.
"""

from __future__ import annotations

from typing import ClassVar

from helpdesk.event_schemas import EventSchema


class SmsStatusChanged(EventSchema):
    type: ClassVar[str] = "sms.status"

    ticket_id: int
    message_id: int
    status: str  # models.SmsStatus
