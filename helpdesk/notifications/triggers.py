"""Notifications that follow from recorded events: assigned, new customer message,
new unassigned chat, @mention in a note, missed call.

A hook on `helpdesk.events.recorded_hooks` notes the events it cares about and
handles them once the action's transaction has committed: the notifications see
the final state (a chat the assignment rules gave someone in the same
transaction is not "unassigned"), and a notification that fails never rolls
back the action. The core names no channel: a call's events are matched by
type and payload, chats by the channel's manifest.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from helpdesk import channels, events
from helpdesk.event_schemas import EventType
from helpdesk.models import Agent, AuthorKind, Direction, Message, Ticket, TicketEvent
from helpdesk.notifications.actions import Title, notify
from helpdesk.notifications.mentions import mentioned_user_ids
from helpdesk.notifications.models import NotificationKind

logger = logging.getLogger(__name__)

CALL_ENDED = "call.ended"  # the phone channel's event (its manifest declares the schema)
MISSED = "missed"
EXCERPT = 160


def is_chat(kind: str) -> bool:
    """A written conversation with a sender of its own (live chat, messengers), not mail,
    a call or a web form."""
    try:
        spec = channels.spec_for(kind)
    except LookupError:
        return False
    return spec.continues_conversation and not spec.voice and spec.sender is not None


# The tickets of the events waiting for their commit, read in one query by the first
# handler that needs one (a mail import's commit carries ~600 events). The read copies
# serve only until this thread records another event: anything that changes a ticket
# records one, so a handler never sees a ticket older than its event's commit.
_tickets = threading.local()


def _expect(ticket_id: int) -> None:
    """An event of this ticket was recorded: read it afresh after the commit."""
    _tickets.read = {}
    wanted: set[int] = getattr(_tickets, "wanted", set())
    wanted.add(ticket_id)
    _tickets.wanted = wanted


def _ticket_of(event: TicketEvent) -> Ticket | None:
    if event.ticket_id is None:
        return None
    read: dict[int, Ticket | None] = getattr(_tickets, "read", {})
    if event.ticket_id not in read:
        wanted: set[int] = getattr(_tickets, "wanted", set()) | {event.ticket_id}
        found = Ticket.objects.in_bulk(wanted)
        read.update({pk: found.get(pk) for pk in wanted})
        _tickets.read, _tickets.wanted = read, set()
    return read[event.ticket_id]


def _ticket_label(ticket: Ticket) -> str:
    return f"#{ticket.pk} {ticket.subject}".strip()


def on_assigned(event: TicketEvent) -> None:
    assignee = event.payload.get("assignee_id")
    ticket = _ticket_of(event)
    if not assignee or ticket is None or ticket.assignee_id != assignee:
        return
    title = Title(gettext_noop("Assigned to you: %(ticket)s"), {"ticket": _ticket_label(ticket)})
    notify(
        [assignee],
        NotificationKind.ASSIGNED,
        ticket_id=ticket.pk,
        title=title,
        actor_id=event.actor_id,
    )


def on_message(event: TicketEvent) -> None:
    data = event.payload
    direction, author = data.get("direction"), data.get("author_kind")
    if direction == Direction.NOTE:
        _mentions(event)
        return
    if direction != Direction.INBOUND or author != AuthorKind.CONTACT:
        return
    ticket = _ticket_of(event)
    if ticket is None or ticket.assignee_id is None:
        return
    # The message that opened the ticket is told as "assigned" or "new chat", not twice.
    if not Message.objects.filter(ticket_id=ticket.pk, id__lt=data["message_id"]).exists():
        return
    title = Title(gettext_noop("New message on %(ticket)s"), {"ticket": _ticket_label(ticket)})
    notify(
        [ticket.assignee_id],
        NotificationKind.NEW_MESSAGE,
        ticket_id=ticket.pk,
        title=title,
        body=str(data.get("excerpt", ""))[:EXCERPT],
        dedupe_key=f"message:{data['message_id']}",
    )


def _mentions(event: TicketEvent) -> None:
    message = Message.objects.filter(pk=event.payload["message_id"]).first()
    if message is None:
        return
    ids = mentioned_user_ids(message.text)
    if not ids:
        return
    ticket = Ticket.objects.filter(pk=message.ticket_id).first()
    if ticket is None:
        return
    author = Agent.objects.filter(user_id=event.actor_id).first() if event.actor_id else None
    who = str(author) if author is not None else ""
    title = Title(
        gettext_noop("%(agent)s mentioned you on %(ticket)s"),
        {"agent": who, "ticket": _ticket_label(ticket)},
    )
    for uid in ids:
        notify(
            [uid],
            NotificationKind.MENTION,
            ticket_id=ticket.pk,
            title=title,
            body=message.text[:EXCERPT],
            actor_id=event.actor_id,
            dedupe_key=f"mention:{message.pk}",
        )


def on_ticket_created(event: TicketEvent) -> None:
    if not is_chat(str(event.payload.get("channel", ""))):
        return
    ticket = _ticket_of(event)
    if ticket is None or ticket.assignee_id is not None or ticket.team_id is None:
        return
    team_agents = Agent.objects.filter(teams=ticket.team_id, user__is_active=True).values_list(
        "user_id", "language"
    )
    body = ticket.contact.name if ticket.contact_id else ""
    title = Title(gettext_noop("New chat: %(ticket)s"), {"ticket": _ticket_label(ticket)})
    for users in _by_language(team_agents).values():
        notify(
            users,
            NotificationKind.UNASSIGNED_CHAT,
            ticket_id=ticket.pk,
            title=title,
            body=body,
            dedupe_key=f"chat:{ticket.pk}",
        )


def _by_language(agents: Iterable[tuple[int, str]]) -> dict[str, list[int]]:
    """user ids per language: one notify() (a few queries) per language, not per agent."""
    found: dict[str, list[int]] = {}
    for uid, language in agents:
        found.setdefault(language, []).append(uid)
    return found


def on_call_ended(event: TicketEvent) -> None:
    data = event.payload
    if data.get("outcome") != MISSED or data.get("direction") != "in":
        return
    ticket_id = data.get("ticket_id") or event.ticket_id
    ticket = Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None
    recipients = _line_agents(data.get("agent_id"), ticket, event.team_id)
    caller = str(data.get("contact_name") or data.get("number") or "")
    title = Title(gettext_noop("Missed call from %(caller)s"), {"caller": caller})
    for users in _by_language(recipients).values():
        notify(
            users,
            NotificationKind.MISSED_CALL,
            ticket_id=ticket.pk if ticket else None,
            title=title,
            body=str(data.get("number", "")),
            dedupe_key=f"call:{data.get('call_id')}",
        )


def _line_agents(
    agent_id: Any, ticket: Ticket | None, team_id: int | None
) -> list[tuple[int, str]]:
    """Whose line rang: the agent it rang, else the ticket's assignee, else the line's team."""
    agents = Agent.objects.filter(user__is_active=True)
    if isinstance(agent_id, int):
        agents = agents.filter(user_id=agent_id)
    elif ticket is not None and ticket.assignee_id is not None:
        agents = agents.filter(user_id=ticket.assignee_id)
    elif team_id is not None:
        agents = agents.filter(teams=team_id)
    else:
        return []
    return list(agents.values_list("user_id", "language").distinct())


HANDLERS: dict[str, Callable[[TicketEvent], None]] = {
    EventType.TICKET_ASSIGNED.value: on_assigned,
    EventType.MESSAGE_CREATED.value: on_message,
    EventType.TICKET_CREATED.value: on_ticket_created,
    CALL_ENDED: on_call_ended,
}


def _run(handler: Callable[[TicketEvent], None], event: TicketEvent) -> None:
    try:
        handler(event)
    except Exception:  # a notification must never fail the work that caused it
        logger.exception("notification for event %s (%s) failed", event.pk, event.type)


def on_event(event: TicketEvent) -> None:
    """recorded_hooks: handle the event after the action's transaction commits."""
    handler = HANDLERS.get(event.type)
    if handler is not None:
        if event.ticket_id is not None:
            _expect(event.ticket_id)
        transaction.on_commit(partial(_run, handler, event))


def install() -> None:
    if on_event not in events.recorded_hooks:
        events.recorded_hooks.append(on_event)
