"""Notifications that follow from events: assigned, new message, new chat, mention, missed call."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from channels_in.phone.models import PhoneLine
from helpdesk.actions.messages import do_add_note, do_reply
from helpdesk.actions.tickets import do_assign, do_claim
from helpdesk.ingest import receive
from helpdesk.models import Ticket
from helpdesk.notifications.mentions import mentioned_usernames
from helpdesk.notifications.models import Notification, NotificationKind
from helpdesk.notifications.triggers import is_chat
from tests import factories
from tests.factories import inbound
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db

K = NotificationKind


def kinds_of(user: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )


@pytest.fixture
def ticket(email_inbox_a: Any) -> Ticket:
    return open_ticket(email_inbox_a, subject="Invoice", sender="c@example.com")


@pytest.mark.embedded
def test_it_tells_the_assignee_but_not_who_assigned_themselves(
    ticket: Ticket, agent_a: Any, supervisor_a: Any, agent_a2: Any, commits: Any
) -> None:
    with commits():
        do_assign(supervisor_a, ticket.pk, agent_a.pk)
    (note,) = Notification.objects.filter(recipient=agent_a)
    assert note.kind == K.ASSIGNED and note.actor_id == supervisor_a.pk
    assert note.title == f"Assigned to you: #{ticket.pk} Invoice"
    other = open_ticket(ticket.inbox, subject="Other")
    with commits():
        do_claim(agent_a2, other.pk)
    assert kinds_of(agent_a2) == []


def test_it_tells_the_assignee_of_a_new_customer_message_only(
    ticket: Ticket, email_inbox_a: Any, agent_a: Any, supervisor_a: Any, commits: Any
) -> None:
    with commits():
        do_assign(supervisor_a, ticket.pk, agent_a.pk)
        do_reply(agent_a, ticket.pk, "On it")  # the agent's own reply: nothing
        receive(
            inbound(
                email_inbox_a, sender="c@example.com", text="Still broken", ticket_number=ticket.pk
            )
        )
    assert kinds_of(agent_a) == [K.ASSIGNED, K.NEW_MESSAGE]
    assert Notification.objects.get(kind=K.NEW_MESSAGE).body == "Still broken"
    assert kinds_of(supervisor_a) == []


def test_it_tells_the_team_of_a_new_unassigned_chat(
    team_a: Any, agent_a: Any, agent_a2: Any, agent_b: Any, email_inbox_a: Any, commits: Any
) -> None:
    chat = factories.make_inbox(team_a, "webchat")
    with commits():
        open_ticket(chat, sender="visitor-1", name="Visitor", subject="Chat")
        open_ticket(email_inbox_a)  # mail is no chat
    assert kinds_of(agent_a) == [K.UNASSIGNED_CHAT] and kinds_of(agent_a2) == [K.UNASSIGNED_CHAT]
    assert kinds_of(agent_b) == []
    assert is_chat("webchat") and is_chat("telegram")
    assert not is_chat("email") and not is_chat("phone") and not is_chat("webform")


def test_it_tells_whom_a_note_mentions_if_they_may_read_the_ticket(
    ticket: Ticket, agent_a: Any, agent_a2: Any, agent_b: Any, commits: Any
) -> None:
    with commits():
        do_add_note(agent_a, ticket.pk, "@Arash please look; @bob too, and @alice. mail x@alice")
    (note,) = Notification.objects.all()
    assert note.recipient_id == agent_a2.pk and note.kind == K.MENTION
    assert note.title.startswith("Alice mentioned you on #")


def test_it_reads_mentions_like_the_composer_writes_them() -> None:
    assert mentioned_usernames("@sara. hi @ali.reza, me@x.org @SARA") == ["sara", "ali.reza"]
    assert mentioned_usernames("سلام @مریم") == ["مریم"]


@pytest.mark.embedded
def test_it_tells_the_line_of_a_missed_call(
    team_a: Any, agent_a: Any, agent_a2: Any, agent_b: Any, commits: Any
) -> None:
    inbox = factories.make_inbox(team_a, "phone", name="Main line")
    line = PhoneLine(inbox=inbox, numbers=["+982112345678"])
    token = line.new_token()
    line.save()
    client = Client()
    base = {"from": "09121234567", "to": "+982112345678", "direction": "in", "callId": "m1"}
    with commits():
        client.post(f"/api/v1/cti/{token}", base | {"event": "newCall"})
        client.post(f"/api/v1/cti/{token}", base | {"event": "hangup", "cause": "cancel"})
    assert kinds_of(agent_a) == [K.MISSED_CALL] and kinds_of(agent_a2) == [K.MISSED_CALL]
    assert kinds_of(agent_b) == []
    note = Notification.objects.filter(recipient=agent_a).get()
    assert note.ticket is not None and "+989121234567" in note.title
