"""The run command for real: HTTP, a WebSocket, and an event crossing from a worker thread."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.live import RunCommandDesk

pytestmark = [pytest.mark.smoke, pytest.mark.embedded, pytest.mark.live_desk("run")]

TABLES = (
    "auth_user",
    "helpdesk_team",
    "helpdesk_inbox",
    "helpdesk_contact",
    "helpdesk_ticket",
    "helpdesk_message",
    "helpdesk_ticketevent",
)

REPLY = """
from django.contrib.auth import get_user_model
from helpdesk.actions.messages import do_reply
from helpdesk.models import Ticket
admin = get_user_model().objects.get(username="admin")
ticket = Ticket.objects.filter(inbox__kind="email").order_by("id").first()
message = do_reply(admin, ticket.pk, "Smoke test reply")
print("MESSAGE", message.pk)
"""


def _frames_until(ws: Any, wanted: Any, limit: int = 200) -> dict[str, Any]:
    for _ in range(limit):
        frame = json.loads(ws.recv(timeout=60))
        if wanted(frame):
            return dict(frame)
    raise AssertionError("the expected frame never came")


def test_it_prints_the_login(live_desk: RunCommandDesk) -> None:
    output = live_desk.output()
    assert f"Log in at {live_desk.url}/login/ as admin with password {live_desk.password}" in output
    assert "Created the demo desk" in output


def test_it_serves_the_login_page_over_http(live_desk: RunCommandDesk) -> None:
    response = httpx.get(live_desk.url + "/login/", timeout=10)
    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_it_serves_static_files_in_debug(live_desk: RunCommandDesk) -> None:
    assert httpx.get(live_desk.url + "/static/admin/css/base.css", timeout=10).status_code == 200


def test_it_delivers_events_published_by_the_worker_thread_to_a_socket(
    live_desk: RunCommandDesk,
) -> None:
    with httpx.Client(base_url=live_desk.url, timeout=10) as client:
        session = live_desk.login(client)
    ws_url = live_desk.url.replace("http://", "ws://") + "/ws/agent/"
    cookie = {"Cookie": f"sessionid={session}"}
    with connect(ws_url, origin=Origin(live_desk.url), additional_headers=cookie) as ws:
        hello = json.loads(ws.recv(timeout=30))
        assert hello["kind"] == "hello"
        # Another process queues a reply; the desk's task-worker thread delivers it
        # (the sender refuses: no channel is configured) and publishes the outcome,
        # which must reach this socket through Daphne's loop.
        out = live_desk.manage("shell", "-c", REPLY).stdout
        message_id = int(out.split("MESSAGE", 1)[1].split()[0])
        frame = _frames_until(
            ws,
            lambda f: (
                f.get("kind") == "event"
                and f["event"]["type"] == "message.delivery"
                and f["event"]["data"]["message_id"] == message_id
            ),
        )
    assert frame["event"]["data"]["delivery_status"] in {"sent", "failed", "queued"}


def test_it_refuses_a_socket_without_a_session(live_desk: RunCommandDesk) -> None:
    ws_url = live_desk.url.replace("http://", "ws://") + "/ws/agent/"
    with pytest.raises(Exception), connect(ws_url, origin=Origin(live_desk.url)) as ws:  # noqa: B017
        ws.recv(timeout=30)


def test_it_changes_nothing_when_the_run_steps_run_again(live_desk: RunCommandDesk) -> None:
    before = live_desk.counts(*TABLES)
    live_desk.manage("migrate", "--no-input", "-v", "0")
    out = live_desk.manage("seed_demo").stdout
    assert "demo data already present" in out
    assert live_desk.counts(*TABLES) == before
    assert before["helpdesk_ticket"] >= 12


def test_it_lists_the_demo_tickets_over_the_api(live_desk: RunCommandDesk) -> None:
    token = live_desk.manage("create_api_token", "admin", "-v", "0").stdout.strip()
    response = httpx.get(
        live_desk.url + "/api/v1/tickets",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text[:500]
    subjects = {item["subject"] for item in response.json()["items"]}
    assert {"Cannot log in to my account", "مشکل در پرداخت فاکتور"} <= subjects
