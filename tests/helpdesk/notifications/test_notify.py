"""notify(): who is told, what is stored, what is pushed, and what is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from helpdesk.models import Ticket
from helpdesk.notifications.actions import (
    Title,
    do_mark_all_read,
    do_mark_read,
    do_mark_ticket_read,
    notify,
)
from helpdesk.notifications.delivery import unread_count
from helpdesk.notifications.models import (
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationSettings,
)
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db

K = NotificationKind


@pytest.fixture
def ticket(email_inbox_a: Any) -> Ticket:
    return open_ticket(email_inbox_a, subject="Printer on fire")


@pytest.mark.embedded
def test_it_never_tells_an_agent_about_a_ticket_they_may_not_read(
    ticket: Ticket, agent_a: Any, agent_b: Any, admin_user: Any, supervisor_a: Any
) -> None:
    stored = notify(
        [agent_a, agent_b.agent, admin_user.pk, supervisor_a],
        K.SLA_BREACHED,
        ticket_id=ticket.pk,
        title="SLA breached",
    )
    told = {n.recipient_id for n in stored}
    assert told == {agent_a.pk, admin_user.pk, supervisor_a.pk}
    assert not Notification.objects.filter(recipient=agent_b).exists()


def test_it_follows_the_ticket_to_its_new_team(
    ticket: Ticket, agent_a: Any, agent_b: Any, team_b: Any
) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(team=team_b)
    stored = notify([agent_a, agent_b], K.SLA_DUE_SOON, ticket_id=ticket.pk, title="due")
    assert [n.recipient_id for n in stored] == [agent_b.pk]


def test_it_skips_the_actor_the_inactive_and_non_agents(
    ticket: Ticket, agent_a: Any, agent_a2: Any, django_user_model: Any
) -> None:
    plain = django_user_model.objects.create_user("plain", password="x")
    agent_a2.is_active = False
    agent_a2.save()
    stored = notify(
        [agent_a, agent_a2, plain], K.ASSIGNED, ticket_id=ticket.pk, title="t", actor_id=agent_a.pk
    )
    assert stored == []


def test_it_stores_links_and_defaults_and_pushes_after_commit(
    ticket: Ticket, agent_a: Any, commits: Any, frames: list[Any]
) -> None:
    with commits():
        (note,) = notify([agent_a], K.MENTION, ticket_id=ticket.pk, title="Sara mentioned you")
        assert frames == []  # nothing leaves before the commit
    assert note.url == f"/t/{ticket.pk}/"
    assert note.in_app and note.desktop and note.email_state == EmailState.PENDING  # defaults
    (groups, frame) = frames[0]
    assert groups == [f"agent.{agent_a.pk}"]
    assert frame["type"] == "notification" and frame["seq"] is None
    data = frame["data"]
    assert data["id"] == note.pk and data["ticket_id"] == ticket.pk and data["unread"] == 1
    assert data["desktop"] and data["sound"]
    json.dumps(frame)  # JSON-safe, as Redis needs


def test_it_follows_the_agents_preferences(
    ticket: Ticket, agent_a: Any, agent_a2: Any, commits: Any, frames: list[Any]
) -> None:
    NotificationPreference.objects.create(
        user=agent_a, kind=K.ASSIGNED, in_app=False, desktop=False, email=False
    )
    NotificationPreference.objects.create(
        user=agent_a2, kind=K.ASSIGNED, in_app=False, desktop=True, email=True
    )
    NotificationSettings.objects.create(user=agent_a2, sound=False)
    with commits():
        stored = notify([agent_a, agent_a2], K.ASSIGNED, ticket_id=ticket.pk, title="t")
    (only,) = stored
    assert only.recipient_id == agent_a2.pk and not only.in_app and only.desktop
    assert only.email_state == EmailState.PENDING
    assert unread_count(agent_a2.pk) == 0  # the bell counts in-app ones only
    assert frames[0][1]["data"]["sound"] is False


def test_it_turns_desktop_off_with_the_global_switch(ticket: Ticket, agent_a: Any) -> None:
    NotificationSettings.objects.create(user=agent_a, desktop=False)
    (note,) = notify([agent_a], K.UNASSIGNED_CHAT, ticket_id=ticket.pk, title="chat")
    assert note.in_app and not note.desktop


def test_it_tells_once_per_dedupe_key(ticket: Ticket, agent_a: Any, agent_a2: Any) -> None:
    first = notify([agent_a], K.SLA_BREACHED, ticket_id=ticket.pk, title="x", dedupe_key="b:1")
    again = notify(
        [agent_a, agent_a2], K.SLA_BREACHED, ticket_id=ticket.pk, title="x", dedupe_key="b:1"
    )
    assert len(first) == 1 and [n.recipient_id for n in again] == [agent_a2.pk]


def test_it_notifies_without_a_ticket(admin_user: Any, agent_a: Any) -> None:
    stored = notify(
        [admin_user, agent_a], K.WEBHOOK_DISABLED, title="Webhook disabled", url="/admin/"
    )
    assert {n.recipient_id for n in stored} == {admin_user.pk, agent_a.pk}
    assert stored[0].url == "/admin/" and stored[0].ticket_id is None


def test_it_refuses_what_is_no_recipient_and_a_missing_ticket(agent_a: Any) -> None:
    with pytest.raises(TypeError):
        notify(["alice"], K.ASSIGNED, title="t")  # type: ignore[list-item]
    with pytest.raises(ValueError):
        notify([agent_a], "nonsense", title="t")
    assert notify([agent_a], K.ASSIGNED, ticket_id=999999, title="t") == []


def test_it_marks_read_only_the_agents_own(
    ticket: Ticket, agent_a: Any, agent_a2: Any, commits: Any, frames: list[Any]
) -> None:
    mine = notify([agent_a], K.ASSIGNED, ticket_id=ticket.pk, title="a")
    theirs = notify([agent_a2], K.ASSIGNED, ticket_id=ticket.pk, title="b")
    notify([agent_a], K.TASK_DUE, title="call back")
    with commits():
        assert do_mark_read(agent_a.pk, [mine[0].pk, theirs[0].pk]) == 1
    assert unread_count(agent_a.pk) == 1 and unread_count(agent_a2.pk) == 1
    assert frames[-1] == ([f"agent.{agent_a.pk}"], frames[-1][1])
    assert frames[-1][1]["type"] == "notification.read" and frames[-1][1]["data"]["unread"] == 1
    assert do_mark_all_read(agent_a.pk) == 1 and unread_count(agent_a.pk) == 0
    assert do_mark_ticket_read(agent_a2.pk, ticket.pk) == 1 and unread_count(agent_a2.pk) == 0


def test_it_names_a_teams_members_and_supervisors(
    agent_a: Any, supervisor_a: Any, agent_b: Any, team_a: Any
) -> None:
    from helpdesk.notifications.actions import team_members

    assert sorted(team_members(team_a.pk)) == sorted([agent_a.pk, supervisor_a.pk])
    assert team_members(team_a.pk, supervisors_only=True) == [supervisor_a.pk]
    assert team_members(None) == []


@pytest.mark.embedded
def test_it_keeps_a_titles_template_and_falls_back_to_the_stored_text(
    ticket: Ticket, agent_a: Any
) -> None:
    title = Title(gettext_noop("Missed call from %(caller)s"), {"caller": "Sara"})
    (note,) = notify([agent_a], K.MISSED_CALL, ticket_id=ticket.pk, title=title)
    note.refresh_from_db()
    assert (note.title_key, note.title_params) == (
        "Missed call from %(caller)s",
        {"caller": "Sara"},
    )
    with translation.override("fa"):
        assert note.display_title() == "تماس بی‌پاسخ از Sara"
    note.title_params = {}  # a template whose parameters no longer fit: the stored text
    assert note.display_title() == note.title == "Missed call from Sara"
    (fixed,) = notify([agent_a], K.TASK_DUE, ticket_id=ticket.pk, title="Call Sara back")
    assert fixed.title_key == "" and fixed.display_title() == "Call Sara back"
