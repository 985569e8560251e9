"""Every `do_*` action emits exactly the events it should (Zulip's `verify_action`).

The actions are found by introspection of helpdesk.actions and helpdesk.staff, so
a new action without a case here fails `test_it_has_a_case_for_every_action`. Each
case builds its data, runs the action once, and the test compares the types of
the TicketEvent rows it created, in order, and round-trips each payload through
JSON and its schema.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

import helpdesk.actions
import helpdesk.staff
from helpdesk import events
from helpdesk.actions import automatic, calls, contacts, messages, tickets
from helpdesk.models import (
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    Priority,
    Team,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from helpdesk.staff import presence, tokens
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.crm.action_cases import CRM_CASES
from tests.helpdesk.followups.action_cases import WORK_CASES


def discovered_actions() -> dict[str, Callable[..., Any]]:
    """`module.do_name` -> function, for every action defined in the two packages."""
    found: dict[str, Callable[..., Any]] = {}
    for package in (helpdesk.actions, helpdesk.staff):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if name.startswith("do_") and function.__module__ == module.__name__:
                    found[f"{info.name}.{name}"] = function
    return found


@dataclass(frozen=True)
class World:
    admin: Any
    agent: Any  # an agent of team A
    team_a: Team
    team_b: Team
    inbox: Inbox  # team A's mailbox

    def ticket(self, sender: str = "customer@example.com") -> Ticket:
        """A new ticket, opened by a customer's e-mail (each mail without references is one)."""
        return open_ticket(self.inbox, sender=sender)


Run = Callable[[], object]


@dataclass(frozen=True)
class Case:
    action: Callable[..., Any]
    # Builds the data and returns the call of the action (events before it are not counted).
    arrange: Callable[[World], Run]
    expected: list[str]


def _reply(w: World) -> Run:
    t = w.ticket()
    return lambda: messages.do_reply(w.agent, t.pk, "Here is how.")


def _note(w: World) -> Run:
    t = w.ticket()
    return lambda: messages.do_add_note(w.agent, t.pk, "Called them back.")


def _failed_reply(w: World) -> Message:
    message = messages.do_reply(w.agent, w.ticket().pk, "Here is how.")
    return messages.do_record_delivery(message.pk, status=DeliveryStatus.FAILED, error="refused")


def _retry(w: World) -> Run:
    message = _failed_reply(w)
    return lambda: messages.do_retry_delivery(w.agent, message.pk)


def _record_delivery(w: World) -> Run:
    message = messages.do_reply(w.agent, w.ticket().pk, "Here is how.")
    return lambda: messages.do_record_delivery(message.pk, status=DeliveryStatus.SENT)


def _start_delivery(w: World) -> Run:
    message = messages.do_reply(w.agent, w.ticket().pk, "Here is how.")
    return lambda: messages.do_start_delivery(message.pk)


def _update_inbound(w: World) -> Run:
    m = Message.objects.get(ticket=w.ticket(), direction=Direction.INBOUND)
    return lambda: messages.do_update_inbound_message(m.pk, text="Edited.", edited=True)


def _automatic(w: World) -> Run:
    t = w.ticket()
    return lambda: automatic.do_send_automatic(t.pk, "We got your mail.", reason="ack")


def _call_entry(w: World) -> Run:
    t = w.ticket()
    call = {"number": "+982112345678", "direction": "out", "outcome": "answered"}
    return lambda: calls.do_add_call_entry(w.agent, t.pk, text="Called.", inbound=False, call=call)


def _assign(w: World) -> Run:
    t = w.ticket()
    return lambda: tickets.do_assign(w.admin, t.pk, w.agent.pk)


def _claim(w: World) -> Run:
    t = w.ticket()
    return lambda: tickets.do_claim(w.agent, t.pk)


def _unassign(w: World) -> Run:
    t = tickets.do_claim(w.agent, w.ticket().pk)
    return lambda: tickets.do_unassign(w.agent, t.pk)


def _set_status(w: World) -> Run:
    t = w.ticket()
    return lambda: tickets.do_set_status(w.agent, t.pk, TicketStatus.RESOLVED)


def _snooze(w: World) -> Run:
    t, until = w.ticket(), timezone.now() + timedelta(hours=2)
    return lambda: tickets.do_snooze(w.agent, t.pk, until)


def _set_priority(w: World) -> Run:
    t = w.ticket()
    return lambda: tickets.do_set_priority(w.agent, t.pk, Priority.URGENT)


def _set_tags(w: World) -> Run:
    t = w.ticket()
    return lambda: tickets.do_set_tags(w.agent, t.pk, ["Billing", "vip"])


def _merge_tickets(w: World) -> Run:
    source, target = w.ticket(), w.ticket()
    return lambda: tickets.do_merge_tickets(w.admin, source.pk, target.pk)


def _set_team(w: World) -> Run:
    t = w.ticket()
    return lambda: tickets.do_set_team(w.admin, t.pk, w.team_b.pk)


def _update_contact(w: World) -> Run:
    t = w.ticket()
    return lambda: contacts.do_update_contact(w.agent, t.contact_id, {"name": "نام تازه"})


def _merge_contacts(w: World) -> Run:
    one, two = w.ticket(), w.ticket(sender="other@example.com")
    return lambda: contacts.do_merge_contacts(w.admin, one.contact_id, two.contact_id)


def _add_identity(w: World) -> Run:
    t = w.ticket()
    return lambda: contacts.do_add_identity(w.agent, t.contact_id, "email", "second@example.com")


def _claim_identity(w: World) -> Run:
    t = w.ticket()
    return lambda: contacts.do_claim_identity(t.contact_id, "email", "proved@example.com")


def _unreachable(w: World) -> Run:
    w.ticket(sender="bounces@example.com")
    return lambda: contacts.do_set_identity_unreachable("email", "bounces@example.com", "bounced")


def _presence(w: World) -> Run:
    return lambda: presence.do_set_presence(w.agent, "away")


def _language(w: World) -> Run:
    return lambda: presence.do_set_language(w.agent, "fa")


def _theme(w: World) -> Run:
    return lambda: presence.do_set_theme(w.agent, "dark")


def _issue_token(w: World) -> Run:
    return lambda: tokens.do_issue_token(w.agent, w.agent, name="ci")


def _revoke_token(w: World) -> Run:
    token, _raw = tokens.do_issue_token(w.agent, w.agent)
    return lambda: tokens.do_revoke_token(w.agent, token.pk)


CASES: dict[str, Case] = {
    "messages.do_reply": Case(
        messages.do_reply, _reply, ["message.created", "ticket.status_changed"]
    ),
    "messages.do_add_note": Case(messages.do_add_note, _note, ["message.created"]),
    "messages.do_retry_delivery": Case(messages.do_retry_delivery, _retry, ["message.delivery"]),
    "messages.do_record_delivery": Case(
        messages.do_record_delivery, _record_delivery, ["message.delivery"]
    ),
    # Claiming a send touches the message row only: no event, no ticket lock.
    "messages.do_start_delivery": Case(messages.do_start_delivery, _start_delivery, []),
    "messages.do_update_inbound_message": Case(
        messages.do_update_inbound_message, _update_inbound, ["message.updated"]
    ),
    "automatic.do_send_automatic": Case(
        automatic.do_send_automatic, _automatic, ["message.created"]
    ),
    "calls.do_add_call_entry": Case(calls.do_add_call_entry, _call_entry, ["message.created"]),
    "tickets.do_assign": Case(tickets.do_assign, _assign, ["ticket.assigned"]),
    "tickets.do_claim": Case(tickets.do_claim, _claim, ["ticket.assigned"]),
    "tickets.do_unassign": Case(tickets.do_unassign, _unassign, ["ticket.assigned"]),
    "tickets.do_set_status": Case(tickets.do_set_status, _set_status, ["ticket.status_changed"]),
    "tickets.do_snooze": Case(tickets.do_snooze, _snooze, ["ticket.status_changed"]),
    "tickets.do_set_priority": Case(
        tickets.do_set_priority, _set_priority, ["ticket.priority_changed"]
    ),
    "tickets.do_set_tags": Case(tickets.do_set_tags, _set_tags, ["ticket.tags_changed"]),
    # One event for each ticket's thread and team list.
    "tickets.do_merge_tickets": Case(
        tickets.do_merge_tickets, _merge_tickets, ["ticket.merged", "ticket.merged"]
    ),
    "tickets.do_set_team": Case(tickets.do_set_team, _set_team, ["ticket.team_changed"]),
    "contacts.do_update_contact": Case(
        contacts.do_update_contact, _update_contact, ["contact.updated"]
    ),
    "contacts.do_merge_contacts": Case(
        contacts.do_merge_contacts, _merge_contacts, ["contact.merged"]
    ),
    "contacts.do_add_identity": Case(contacts.do_add_identity, _add_identity, ["contact.updated"]),
    "contacts.do_claim_identity": Case(
        contacts.do_claim_identity, _claim_identity, ["contact.updated"]
    ),
    "contacts.do_set_identity_unreachable": Case(
        contacts.do_set_identity_unreachable, _unreachable, ["contact.updated"]
    ),
    # Presence is an ephemeral frame and the language a preference: no audit event.
    "presence.do_set_presence": Case(presence.do_set_presence, _presence, []),
    "presence.do_set_language": Case(presence.do_set_language, _language, []),
    "presence.do_set_theme": Case(presence.do_set_theme, _theme, []),
    # Tokens touch no ticket: no audit event (the token row keeps its own dates).
    "tokens.do_issue_token": Case(tokens.do_issue_token, _issue_token, []),
    "tokens.do_revoke_token": Case(tokens.do_revoke_token, _revoke_token, []),
}
# Companies, attributes, segments, contact tags (issue 19): tests/helpdesk/crm/action_cases.py
CASES.update({name: Case(*case) for name, case in CRM_CASES.items()})
# Outbound conversations and split (issue 19): tests/helpdesk/followups/action_cases.py
CASES.update({name: Case(*case) for name, case in WORK_CASES.items()})

ACTIONS = sorted(discovered_actions())


def test_it_has_a_case_for_every_action() -> None:
    found = discovered_actions()
    assert sorted(CASES) == sorted(found), "add a case for each new action (and drop old ones)"
    for name, case in CASES.items():
        assert case.action is found[name], name


@pytest.fixture
def world(admin_user: Any, agent_a: Any, team_a: Team, team_b: Team, email_inbox_a: Inbox) -> World:
    return World(admin_user, agent_a, team_a, team_b, email_inbox_a)


@pytest.mark.django_db
@pytest.mark.embedded
@pytest.mark.parametrize("name", ACTIONS)
def test_it_records_exactly_the_events_of_each_action(name: str, world: World) -> None:
    case = CASES.get(name)
    if case is None:
        pytest.fail(f"{name} has no case in {__name__}.CASES")
    run = case.arrange(world)
    last = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    run()
    recorded = list(TicketEvent.objects.filter(id__gt=last).order_by("id"))
    assert [e.type for e in recorded] == case.expected
    for event in recorded:
        # What Redis and the catch-up API carry is JSON: it must give the schema back.
        carried = json.loads(json.dumps(event.payload))
        schema = events.schema_for(event.type)
        assert schema.model_validate(carried).model_dump(mode="json") == event.payload
