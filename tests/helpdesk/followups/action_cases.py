"""Cases of the work-on-tickets actions (outbound conversations, split) for
tests/helpdesk/test_action_events.py (issue 19). Each entry: action,
arrange(world) -> the call to time, the event types it records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpdesk.actions import outbound, split
from helpdesk.models import Message
from tests.helpdesk.actions_helpers import open_ticket

Run = Callable[[], object]


def _start_conversation(w: Any) -> Run:
    contact = outbound.NewContact(name="Sara", identities={"email": "sara@example.com"})
    return lambda: outbound.do_start_conversation(
        w.agent, inbox_id=w.inbox.pk, contact=contact, subject="Your order", text="Hello Sara"
    )


def _split(w: Any) -> Run:
    ticket = open_ticket(w.inbox, sender="split@example.com")
    open_ticket(w.inbox, sender="split@example.com", ticket_number=ticket.pk)
    last = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert last is not None
    return lambda: split.do_split_ticket(w.admin, ticket.pk, [last.pk])


WORK_CASES: dict[str, tuple[Callable[..., Any], Callable[[Any], Run], list[str]]] = {
    # The new ticket, its first message (an ordinary reply), and waiting for the customer.
    "outbound.do_start_conversation": (
        outbound.do_start_conversation,
        _start_conversation,
        ["ticket.created", "message.created", "ticket.status_changed"],
    ),
    # The new ticket, then the split on both tickets' threads and lists.
    "split.do_split_ticket": (
        split.do_split_ticket,
        _split,
        ["ticket.created", "ticket.split", "ticket.split"],
    ),
}
