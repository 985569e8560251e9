"""The notification center's screens: bell menu, list, mark read, preferences, @mention lookup."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.translation import gettext_noop

from helpdesk.models import Agent
from helpdesk.notifications.actions import Title, notify
from helpdesk.notifications.models import Notification, NotificationKind, NotificationSettings
from helpdesk.notifications.preferences import table_for

pytestmark = [pytest.mark.django_db]

K = NotificationKind


@pytest.fixture
def notes(ticket_a: Any, agent_a: Any, agent_a2: Any) -> list[Notification]:
    mine = [
        *notify([agent_a], K.ASSIGNED, ticket_id=ticket_a.pk, title="Assigned: Printer on fire"),
        *notify([agent_a], K.MENTION, ticket_id=ticket_a.pk, title="Arash mentioned you"),
    ]
    notify([agent_a2], K.ASSIGNED, ticket_id=ticket_a.pk, title="someone else's")
    return mine


@pytest.mark.embedded
def test_it_shows_the_agents_own_notifications_in_the_menu(
    login: Any, agent_a: Any, notes: list[Notification], django_assert_max_num_queries: Any
) -> None:
    client = login(agent_a)
    with django_assert_max_num_queries(8):  # session, user, agent, role, list, count, seq lock, seq
        menu = client.get("/notifications/menu/").content.decode()
    assert 'data-unread="2"' in menu and "Arash mentioned you" in menu
    assert "someone else" not in menu
    assert f'href="/notifications/{notes[0].pk}/open/"' in menu
    page = client.get("/").content.decode()
    assert 'id="notif-bell"' in page and "agents/notifications.js" in page


def test_it_lists_marks_read_and_opens_the_ticket(
    login: Any,
    agent_a: Any,
    agent_a2: Any,
    ticket_a: Any,
    notes: list[Notification],
    django_assert_max_num_queries: Any,
) -> None:
    client = login(agent_a)
    with django_assert_max_num_queries(8):
        body = client.get("/notifications/?unread=1").content.decode()
    assert "Assigned: Printer on fire" in body and "someone else" not in body
    others = Notification.objects.get(recipient=agent_a2)
    client.post("/notifications/read/", {"id": [str(notes[0].pk), str(others.pk)]})
    assert Notification.objects.get(pk=notes[0].pk).read_at is not None
    assert Notification.objects.get(pk=others.pk).read_at is None  # not theirs to mark
    opened = client.get(f"/notifications/{notes[1].pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/t/{ticket_a.pk}/"
    assert not Notification.objects.filter(recipient=agent_a, read_at__isnull=True).exists()
    assert client.get(f"/notifications/{others.pk}/open/").status_code == 404
    notify([agent_a], K.TASK_DUE, title="x")
    response = client.post("/notifications/read/", {"all": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Trigger"] == "desk:notifications"
    assert not Notification.objects.filter(recipient=agent_a, read_at__isnull=True).exists()


def test_it_saves_the_agents_preferences(login: Any, agent_a: Any) -> None:
    client = login(agent_a)
    page = client.get("/me/notifications/").content.decode()
    assert 'name="mention__email"' in page and "checked" in page
    response = client.post(
        "/me/notifications/",
        {"assigned__in_app": "on", "assigned__email": "on", "mention__in_app": "on", "sound": "on"},
    )
    assert response.status_code == 302
    table = table_for(agent_a.pk)
    assert table[K.ASSIGNED].email and not table[K.MENTION].desktop
    assert not table[K.UNASSIGNED_CHAT].in_app
    settings_row = NotificationSettings.objects.get(user=agent_a)
    assert settings_row.sound and not settings_row.desktop


def test_it_offers_only_agents_who_may_read_the_ticket_for_mentions(
    login: Any,
    agent_a: Any,
    agent_a2: Any,
    agent_b: Any,
    admin_user: Any,
    ticket_a: Any,
    ticket_b: Any,
) -> None:
    client = login(agent_a)
    found = client.get(f"/t/{ticket_a.pk}/mentions/", {"q": "a"}).json()["agents"]
    assert [a["username"] for a in found] == ["admin", "alice", "arash"]
    assert client.get(f"/t/{ticket_a.pk}/mentions/", {"q": "bo"}).json()["agents"] == []
    assert client.get(f"/t/{ticket_b.pk}/mentions/").status_code == 404


def test_it_reads_a_tickets_notifications_when_the_agent_opens_it(
    login: Any, agent_a: Any, ticket_a: Any, notes: list[Notification]
) -> None:
    client = login(agent_a)
    response = client.post(
        "/notifications/read/", {"ticket": str(ticket_a.pk)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert not Notification.objects.filter(recipient=agent_a, read_at__isnull=True).exists()


def test_it_hides_notifications_about_a_ticket_moved_out_of_the_agents_teams(
    login: Any,
    agent_a: Any,
    admin_user: Any,
    ticket_a: Any,
    team_b: Any,
    notes: list[Notification],
) -> None:
    from helpdesk.models import Ticket
    from helpdesk.notifications.delivery import unread_count

    notify([admin_user], K.ASSIGNED, ticket_id=ticket_a.pk, title="Admin's: Printer on fire")
    notify([agent_a], K.TASK_DUE, title="Call back")
    Ticket.objects.filter(pk=ticket_a.pk).update(team=team_b)
    client = login(agent_a)
    menu = client.get("/notifications/menu/").content.decode()
    assert "Printer on fire" not in menu and "Call back" in menu and 'data-unread="1"' in menu
    assert "Printer on fire" not in client.get("/notifications/").content.decode()
    assert client.get(f"/notifications/{notes[0].pk}/open/").status_code == 404
    assert unread_count(agent_a.pk) == 1
    assert unread_count(admin_user.pk) == 1  # admins read every team's tickets


@pytest.mark.embedded
def test_it_shows_titles_in_the_readers_language_of_the_day(
    login: Any, agent_a: Any, ticket_a: Any
) -> None:
    """A title made while the agent read Persian is shown in English once they switch
    (bell and page); a row with a fixed text keeps it."""
    Agent.objects.filter(user=agent_a).update(language="fa")
    title = Title(gettext_noop("New chat: %(ticket)s"), {"ticket": "#7 Refund"})
    (note,) = notify([agent_a], K.UNASSIGNED_CHAT, ticket_id=ticket_a.pk, title=title)
    notify([agent_a], K.ASSIGNED, ticket_id=ticket_a.pk, title="نوشتهٔ ثابت")
    assert note.title == "گفتگوی تازه: #7 Refund"  # stored: the recipient's language then
    client = login(agent_a)
    assert "گفتگوی تازه: #7 Refund" in client.get("/notifications/menu/").content.decode()
    Agent.objects.filter(user=agent_a).update(language="en")
    for path in ("/notifications/menu/", "/notifications/"):
        shown = client.get(path).content.decode()
        assert "New chat: #7 Refund" in shown and "گفتگوی تازه" not in shown
        assert "نوشتهٔ ثابت" in shown
