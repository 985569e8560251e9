"""The notification center in Chromium: the bell live on any page, a desktop notification
with the permission granted, the tab title, reading by following the link, @mention
autocomplete in a note (English, wide); the Persian bell on a phone reloading on reconnect.
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


def test_it_rings_the_bell_and_the_desktop_for_a_new_chat_and_reads_it_by_link(
    live_desk: DeskServer, browser: Browser, agent_a: Any, agent_a2: Any, team_a: Any
) -> None:
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


def test_it_shows_the_persian_bell_on_a_phone_and_reloads_it_after_a_reconnect(
    live_desk: DeskServer, browser: Browser, agent_a: Any, email_inbox_a: Any
) -> None:
    Agent.objects.filter(user=agent_a).update(language="fa")
    ticket = _ticket(email_inbox_a, subject="سفارش ۱۲۳")
    page = sign_in(browser, live_desk, agent_a, PHONE)
    expect(page.locator("#conn")).to_have_attribute("data-state", "open")
    expect(page.locator("#notif-menu-body")).to_be_attached()
    # Stored without a frame (as if it was lost), then the socket drops and comes back.
    for title in ("اول", "دوم"):
        Notification.objects.create(
            recipient=agent_a,
            kind=NotificationKind.ASSIGNED,
            ticket=ticket,
            title=title,
            url=f"/t/{ticket.pk}/",
            created_at=ticket.created_at,
        )
    expect(page.locator("#notif-count")).to_be_hidden()
    page.evaluate("window.deskSocket.ws.close()")
    expect(page.locator("#notif-count")).to_have_text("۲")  # reloaded on reconnect
    assert page.title().startswith("(۲) ")
    page.click("#notif-button")
    expect(page.locator("#notif-menu .notif-item.unread")).to_have_count(2)
    assert page.evaluate(NO_OVERFLOW)
    page.click("#notif-menu .notif-read-all")
    expect(page.locator("#notif-count")).to_be_hidden()
    assert not Notification.objects.filter(recipient=agent_a, read_at__isnull=True).exists()
    assert page.problems == []  # type: ignore[attr-defined]
