"""Issue 13.4 in Chromium: the inbox notices a Redis outage and shows what it missed.

The desk runs in a subprocess on a redis-server of the test's own; the test stops
that Redis, adds two notes (their frames are lost), starts it again, and the page
(socket.js: close code 4500, reconnect, resume from lastSeq) shows both notes
without a reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, expect

from helpdesk import publisher
from helpdesk.actions.messages import do_add_note
from helpdesk.ingest import receive
from helpdesk.models import TicketEvent
from tests import factories, live
from tests.live.base import server_database_url
from tests.live.process import DeskServer
from tests.redis_server import RedisServer, outage_layer, redis_server

__all__ = ["browser", "outage_layer", "redis_server"]  # fixtures
browser = live.browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def desk_on_own_redis(
    outage_layer: RedisServer, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DeskServer]:
    """Daphne in a subprocess whose channel layer (and cache) is the test's redis-server."""
    if connection.vendor != "postgresql":
        pytest.skip("the server runs in another process: needs PostgreSQL")
    monkeypatch.setenv("REDIS_URL", outage_layer.url)
    monkeypatch.setenv("CHANNEL_LAYER_PREFIX", "outage-test")  # the test process's too
    desk = DeskServer(
        server_database_url(), media_root=Path(settings.MEDIA_ROOT), log=tmp_path / "server.log"
    )
    desk.start()
    try:
        yield desk
    finally:
        desk.stop()


def test_it_resumes_after_a_redis_outage_and_shows_the_lost_events(
    desk_on_own_redis: DeskServer,
    outage_layer: RedisServer,
    browser: Browser,
    agent_a: Any,
    email_inbox_a: Any,
) -> None:
    desk = desk_on_own_redis
    ticket = receive(factories.inbound(email_inbox_a, subject="Outage", text="first")).ticket
    page = browser.new_context(base_url=desk.url).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto("/login/")
    page.fill("#id_username", agent_a.username)
    page.fill("#id_password", "pw-" + agent_a.username)
    page.click("form button[type=submit]")
    page.wait_for_url(desk.url + "/")
    page.goto(f"/t/{ticket.pk}/")
    conn = page.locator("#conn")
    expect(conn).to_have_attribute("data-state", "open")
    do_add_note(agent_a, ticket.pk, "live note")
    publisher.flush()
    expect(page.locator("#timeline")).to_contain_text("live note")

    outage_layer.stop()
    # The server's reader notices and closes the socket (4500); it cannot come
    # back while Redis is down.
    expect(conn).not_to_have_attribute("data-state", "open")
    for text in ("lost note 1", "lost note 2"):
        do_add_note(agent_a, ticket.pk, text)
    publisher.flush()
    outage_layer.start()

    expect(conn).to_have_attribute("data-state", "open", timeout=30_000)
    for text in ("lost note 1", "lost note 2"):
        expect(page.locator("#timeline")).to_contain_text(text)
    last = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first()
    expect_seq = str(last)
    page.wait_for_function("seq => sessionStorage.getItem('desk.lastSeq') === seq", arg=expect_seq)
