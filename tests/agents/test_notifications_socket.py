"""Notifications over the real agent socket (in-process and Redis layers)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from helpdesk.actions.tickets import do_assign
from helpdesk.ingest import receive
from helpdesk.notifications.actions import do_mark_all_read, notify
from helpdesk.notifications.models import NotificationKind
from tests import factories
from tests.agents import test_consumers
from tests.agents.test_consumers import (  # noqa: F401  (fixtures)
    _close_thread_connections,
    _flush,
    connect,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

# The in-process layer and the desk's default Redis layer (the stock pub/sub layer
# carries the same frames; tests/agents/test_consumers.py covers it).
LAYERS = [name for name in test_consumers.LAYERS if name != "redis"]


@pytest.fixture(params=LAYERS)
def layer(request: Any, settings: Any) -> str:
    return str(test_consumers.layer.__wrapped__(request, settings))  # type: ignore[attr-defined]


def _notifications(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        f["event"]
        for f in frames
        if f.get("kind") == "event" and f["event"]["type"].startswith("notification")
    ]


async def test_it_delivers_notifications_live_and_only_to_their_agent(
    connect: Any,  # noqa: F811  (the fixture imported above)
    agent_a: Any,
    agent_b: Any,
    supervisor_a: Any,
    email_inbox_a: Any,
) -> None:
    alice, bob = await connect(agent_a), await connect(agent_b)
    await alice.drain()
    await bob.drain()

    def work() -> int:
        ticket = receive(factories.inbound(email_inbox_a, subject="Refund")).ticket
        do_assign(supervisor_a, ticket.pk, agent_a.pk)
        # Bob may not read team A's ticket: never told, whoever asks.
        notify([agent_b], NotificationKind.SLA_BREACHED, ticket_id=ticket.pk, title="breach")
        return int(ticket.pk)

    ticket_id = await database_sync_to_async(work)()
    await _flush()
    (frame,) = _notifications(await alice.drain())
    assert frame["type"] == "notification" and frame["seq"] is None
    data = frame["data"]
    assert data["kind"] == "assigned" and data["ticket_id"] == ticket_id
    assert data["unread"] == 1 and data["url"] == f"/t/{ticket_id}/"
    assert _notifications(await bob.drain()) == []

    await database_sync_to_async(do_mark_all_read)(agent_a.pk)
    await _flush()
    (read,) = _notifications(await alice.drain())
    assert read["type"] == "notification.read" and read["data"] == {"unread": 0}
