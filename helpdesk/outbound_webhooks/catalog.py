"""The webhook event types, and how the desk's own event types map onto them.

Subscribers see a small, stable vocabulary: the five ticket/message/contact types
below, plus the optional types of installed parts (`survey.answered`,
`sla.breached`, `call.ended`), offered only when the event schema table
(helpdesk.events.schemas) declares them. The table is read when it is needed,
never at import, so parts installed later appear without a change here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from helpdesk import events


class WebhookEvent(StrEnum):
    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    MESSAGE_CREATED = "message.created"
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    SURVEY_ANSWERED = "survey.answered"
    SLA_BREACHED = "sla.breached"
    CALL_ENDED = "call.ended"


LABELS = {
    WebhookEvent.TICKET_CREATED: _("Ticket created"),
    WebhookEvent.TICKET_UPDATED: _("Ticket updated (status, assignee, team, priority, tags)"),
    WebhookEvent.MESSAGE_CREATED: _("Message created"),
    WebhookEvent.CONTACT_CREATED: _("Contact created"),
    WebhookEvent.CONTACT_UPDATED: _("Contact updated"),
    WebhookEvent.SURVEY_ANSWERED: _("Survey answered"),
    WebhookEvent.SLA_BREACHED: _("SLA breached"),
    WebhookEvent.CALL_ENDED: _("Call ended"),
}

# The desk's ticket changes that a subscriber sees as `ticket.updated`, and the name
# of what changed: (field, key of the new value, key of the previous value).
UPDATES: dict[str, tuple[str, str, str | None]] = {
    "ticket.status_changed": ("status", "status", "previous_status"),
    "ticket.assigned": ("assignee", "assignee_id", "previous_assignee_id"),
    "ticket.team_changed": ("team", "team_id", "previous_team_id"),
    "ticket.priority_changed": ("priority", "priority", "previous_priority"),
    "ticket.tags_changed": ("tags", "tags", None),
}

# Desk event types delivered under the same name.
SAME_NAME = frozenset(WebhookEvent) - {WebhookEvent.TICKET_UPDATED}


def available_types() -> list[WebhookEvent]:
    """The webhook types a subscription may choose now (ticket.updated always)."""
    declared = events.schemas()
    return [t for t in WebhookEvent if t == WebhookEvent.TICKET_UPDATED or t.value in declared]


def choices() -> list[tuple[str, str]]:
    """(value, label) of the available types, for forms."""
    return [(t.value, str(LABELS[t])) for t in available_types()]


def webhook_type(desk_type: str) -> str | None:
    """The webhook type a desk event is delivered as, or None (not delivered)."""
    if desk_type in UPDATES:
        return WebhookEvent.TICKET_UPDATED.value
    if desk_type in SAME_NAME:
        return desk_type
    return None


def changes(desk_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What a `ticket.updated` changed: {field: {"from": old, "to": new}}."""
    field, new_key, old_key = UPDATES[desk_type]
    change: dict[str, Any] = {"to": payload.get(new_key)}
    if old_key is not None:
        change["from"] = payload.get(old_key)
    return {field: change}
