"""Live side of the chat: frames to visitors' groups, visitor presence, rate limits.

Visitor sockets join only `chat.<conversation key>`. Everything sent there goes
through `helpdesk.events.publish` (or `apublish` from async code) and is already
shaped for the widget (see docs/webchat.md for every frame), because the
visitor's consumer forwards it without looking at the database.
"""

from __future__ import annotations

import time
from typing import Any

from django.utils import timezone

from channels_in.webchat.channel import IDENTITY
from helpdesk import events
from helpdesk.models import ContactIdentity, Ticket
from helpdesk.shared_cache import shared_cache

# A visitor's socket refreshes its presence on connect and on every ping (the
# widget pings every 25 s); without a refresh the visitor counts as gone.
PRESENCE_SECONDS = 75

# The rate limit's clock (tests pin it so a window boundary cannot fall mid-test).
clock = time.time


def chat_group(key: str) -> str:
    return f"chat.{key}"


def chat_keys_for_ticket(ticket_id: int) -> list[str]:
    """Conversation keys of the live-chat visitors of a ticket (usually one)."""
    from channels_in.webchat.models import WebchatConversation

    ticket = Ticket.objects.filter(pk=ticket_id).only("contact_id", "inbox_id").first()
    if ticket is None:
        return []
    addresses = ContactIdentity.objects.filter(contact_id=ticket.contact_id, kind=IDENTITY).values(
        "address"
    )
    return list(
        WebchatConversation.objects.filter(
            config__inbox_id=ticket.inbox_id, visitor_id__in=addresses
        ).values_list("key", flat=True)
    )


def chat_groups_for_ticket(ticket_id: int) -> list[str]:
    """The `chat.<key>` groups to publish to for a ticket (for the agent inbox)."""
    return [chat_group(key) for key in chat_keys_for_ticket(ticket_id)]


def publish_agent_typing(ticket_id: int, name: str, is_typing: bool) -> None:
    """Tell the ticket's visitors that an agent is (no longer) typing a reply.

    For the agent inbox: call it (sync; one query) when an agent types in the
    reply box of a live-chat ticket, never for notes.
    """
    groups = chat_groups_for_ticket(ticket_id)
    if groups:
        events.publish(groups, {"type": "typing", "is_typing": is_typing, "name": name})


async def apublish_agent_typing(ticket_id: int, name: str, is_typing: bool) -> None:
    """`publish_agent_typing` for consumers (the one query runs in a worker thread)."""
    from channels.db import database_sync_to_async

    groups = await database_sync_to_async(chat_groups_for_ticket)(ticket_id)
    if groups:
        await events.apublish(groups, {"type": "typing", "is_typing": is_typing, "name": name})


def publish_seen(ticket_id: int, up_to_message_id: int) -> None:
    """Mark the visitor's messages up to `up_to_message_id` as delivered to an agent."""
    groups = chat_groups_for_ticket(ticket_id)
    if groups:
        events.publish(groups, {"type": "seen", "up_to": up_to_message_id})


def visitor_typing_frame(
    ticket_id: int, contact_id: int, name: str, is_typing: bool
) -> dict[str, Any]:
    """The ephemeral frame agents on `ticket.<id>` receive when the visitor types."""
    data = {
        "ticket_id": ticket_id,
        "author_kind": "contact",
        "contact_id": contact_id,
        "name": name,
        "mode": "reply",
        "active": is_typing,
        "channel": "webchat",
    }
    return events.ephemeral_frame(events.Ephemeral.TYPING, data)


# --- presence -----------------------------------------------------------------------


def _presence_key(key: str) -> str:
    return f"webchat:present:{key}"


def mark_present(key: str) -> None:
    shared_cache().set(_presence_key(key), timezone.now().isoformat(), PRESENCE_SECONDS)


def mark_gone(key: str) -> None:
    shared_cache().delete(_presence_key(key))


def is_present(key: str) -> bool:
    return shared_cache().get(_presence_key(key)) is not None


# --- rate limit -----------------------------------------------------------------------


def allow_message(key: str, per_minute: int) -> int:
    """Count one visitor message; returns 0 if allowed, else seconds until the next window.

    A fixed one-minute window per conversation in the shared cache (Redis in
    production), so every web process sees the same count.
    """
    if per_minute <= 0:
        return 0
    now = int(clock())
    window = now // 60
    counter = f"webchat:rate:{key}:{window}"
    shared_cache().add(counter, 0, 90)
    try:
        count = shared_cache().incr(counter)
    except ValueError:  # expired between add and incr
        shared_cache().set(counter, 1, 90)
        count = 1
    if count <= per_minute:
        return 0
    return 60 - now % 60


class WidgetActivity:
    """The widget's view of agents at work (helpdesk.channels.AgentActivity)."""

    def ticket_opened(self, ticket_id: int) -> None:
        """An agent opened the ticket: the visitor's messages so far show as seen."""
        from helpdesk.models import Direction, Message

        last = (
            Message.objects.filter(ticket_id=ticket_id, direction=Direction.INBOUND)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        if last is not None:
            publish_seen(ticket_id, last)

    async def agent_typing(self, ticket_id: int, name: str, active: bool) -> None:
        await apublish_agent_typing(ticket_id, name, active)
