"""The run command for real: HTTP, a WebSocket, and an event crossing from a worker thread."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.rundesk_server import Desk, running_desk

pytestmark = [pytest.mark.smoke, pytest.mark.embedded]

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


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with running_desk(Path(tmp_path_factory.mktemp("rundesk"))) as running:
        yield running


def _frames_until(ws: Any, wanted: Any, limit: int = 200) -> dict[str, Any]:
    for _ in range(limit):
        frame = json.loads(ws.recv(timeout=60))
        if wanted(frame):
            return dict(frame)
    raise AssertionError("the expected frame never came")


def test_it_prints_the_login(desk: Desk) -> None:
    output = desk.output()
    assert f"Log in at {desk.url}/login/ as admin with password {desk.password}" in output
    assert "Created the demo desk" in output


def test_it_serves_the_login_page_over_http(desk: Desk) -> None:
    response = httpx.get(desk.url + "/login/", timeout=10)
    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_it_serves_static_files_in_debug(desk: Desk) -> None:
    assert httpx.get(desk.url + "/static/admin/css/base.css", timeout=10).status_code == 200


def test_it_delivers_events_published_by_the_worker_thread_to_a_socket(desk: Desk) -> None:
    with httpx.Client(base_url=desk.url, timeout=10) as client:
        session = desk.login(client)
    ws_url = desk.url.replace("http://", "ws://") + "/ws/agent/"
    cookie = {"Cookie": f"sessionid={session}"}
    with connect(ws_url, origin=Origin(desk.url), additional_headers=cookie) as ws:
        hello = json.loads(ws.recv(timeout=30))
        assert hello["kind"] == "hello"
        # Another process queues a reply; the desk's task-worker thread delivers it
        # (the sender refuses: no channel is configured) and publishes the outcome,
        # which must reach this socket through Daphne's loop.
        out = desk.manage("shell", "-c", REPLY).stdout
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


def test_it_refuses_a_socket_without_a_session(desk: Desk) -> None:
    ws_url = desk.url.replace("http://", "ws://") + "/ws/agent/"
    with pytest.raises(Exception), connect(ws_url, origin=Origin(desk.url)) as ws:  # noqa: B017
        ws.recv(timeout=30)


def test_it_changes_nothing_when_the_run_steps_run_again(desk: Desk) -> None:
    before = desk.counts(*TABLES)
    desk.manage("migrate", "--no-input", "-v", "0")
    out = desk.manage("seed_demo").stdout
    assert "demo data already present" in out
    assert desk.counts(*TABLES) == before
    assert before["helpdesk_ticket"] >= 12


def test_it_lists_the_demo_tickets_over_the_api(desk: Desk) -> None:
    token = desk.manage("create_api_token", "admin", "-v", "0").stdout.strip()
    response = httpx.get(
        desk.url + "/api/v1/tickets",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text[:500]
    subjects = {item["subject"] for item in response.json()["items"]}
    assert {"Cannot log in to my account", "مشکل در پرداخت فاکتور"} <= subjects
