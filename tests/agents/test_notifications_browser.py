"""The notification center in Chromium, one flow (the live desk is a server process of
its own, so one test starts it once): the bell live on a page without the inbox, a
desktop notification with the permission granted, the tab title, reading by following
the link, @mention autocomplete in a note (English, wide); the mentioned agent's Persian
bell on a phone, reloaded after a reconnect, mark all read.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from helpdesk.models import Agent
from helpdesk.notifications.models import Notification, NotificationKind
from tests import factories
from tests.agents.test_workspace_browser import NO_OVERFLOW, PHONE, WIDE, _ticket
from tests.live import DeskServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.live_desk("process"),  # notifications made here reach its sockets over Redis
]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def sign_in(browser: Browser, desk: DeskServer, user: Any, viewport: dict[str, int]) -> Page:
    context = browser.new_context(base_url=desk.url, viewport=viewport)  # type: ignore[arg-type]
    context.grant_permissions(["notifications"], origin=desk.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.problems = problems  # type: ignore[attr-defined]
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("main form button[type=submit]")
    page.wait_for_url(desk.url + "/")
    return page


def test_it_tells_agents_live_on_the_desktop_and_after_a_reconnect(
    live_desk: DeskServer, browser: Browser, agent_a: Any, agent_a2: Any, team_a: Any
) -> None:
    Agent.objects.filter(user=agent_a2).update(language="fa")
    chat = factories.make_inbox(team_a, "webchat")
    page = sign_in(browser, live_desk, agent_a, WIDE)
    page.goto("/contacts/")  # no inbox socket here: the bell opens its own
    expect(page.locator("#notif-count")).to_be_hidden()
    expect(page.locator("#notif-menu-body")).to_be_attached()
    expect(page.locator("#notif-bell")).to_have_attribute("data-socket", "open")  # its own
    ticket = _ticket(chat, sender="visitor-7", name="Visitor", subject="Need help now")
    assert Notification.objects.filter(recipient=agent_a).count() == 1
    expect(page.locator("#notif-count")).to_have_text("1")
    expect(page).to_have_title("(1) Contacts")
    expect(page.locator("#notif-bell")).to_have_attribute("data-desktop-shown", "1")
    page.click("#notif-button")
    item = page.locator("#notif-menu .notif-item.unread")
    expect(item).to_contain_text(f"New chat: #{ticket.pk} Need help now")
    item.locator("a.notif-link").click()
    page.wait_for_url(f"{live_desk.url}/t/{ticket.pk}/")
    expect(page.locator("#notif-count")).to_be_hidden()
    assert Notification.objects.get(recipient=agent_a).read_at is not None

    # @mention in an internal note: the composer offers the agents who may read it.
    page.click("label[for=mode-note]")
    page.click("#reply-text")
    page.keyboard.type("Please take this @ara")
    option = page.locator("#mention-list [role=option]").first
    expect(option).to_contain_text("@arash")
    page.keyboard.press("Enter")
    expect(page.locator("#reply-text")).to_have_value("Please take this @arash ")
    page.click("#reply button[name=send]")
    expect(page.locator("#timeline")).to_contain_text("Please take this @arash")
    mention = Notification.objects.filter(recipient=agent_a2, kind=NotificationKind.MENTION)
    for _ in range(50):  # made by the server once the note committed
        if mention.exists():
            break
        page.wait_for_timeout(100)
    assert mention.count() == 1
    assert page.problems == []  # type: ignore[attr-defined]

    # Arash works in Persian on a phone: his bell has the mention (and the new chat).
    phone = sign_in(browser, live_desk, agent_a2, PHONE)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "open")
    expect(phone.locator("#notif-count")).to_have_text("۲")
    # One more stored without a frame (as if it was lost); the socket drops and returns.
    Notification.objects.create(
        recipient=agent_a2,
        kind=NotificationKind.ASSIGNED,
        ticket=ticket,
        title="به شما واگذار شد",
        url=f"/t/{ticket.pk}/",
        created_at=ticket.created_at,
    )
    expect(phone.locator("#notif-count")).to_have_text("۲")
    phone.evaluate("window.deskSocket.ws.close()")
    expect(phone.locator("#notif-count")).to_have_text("۳")  # reloaded on reconnect
    assert phone.title().startswith("(۳) ")
    phone.click("#notif-button")
    expect(phone.locator("#notif-menu .notif-item.unread")).to_have_count(3)
    assert phone.evaluate(NO_OVERFLOW)
    phone.click("#notif-menu .notif-read-all")
    expect(phone.locator("#notif-count")).to_be_hidden()
    assert not Notification.objects.filter(recipient=agent_a2, read_at__isnull=True).exists()
    assert phone.problems == []  # type: ignore[attr-defined]
