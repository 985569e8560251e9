"""Revoked access takes effect on open agent sockets (issue 14, hole 2).

Over the real consumer with WebsocketCommunicator, on the in-process layer and
(with REDIS_URL) channels-redis' pub/sub layer and the desk's fanout layer.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model

from agents.consumers import AgentConsumer
from helpdesk.actions.messages import do_add_note
from helpdesk.actions.tickets import do_set_team
from helpdesk.ingest import receive
from helpdesk.models import Agent, Role
from tests import factories
from tests.agents import test_consumers as base

# The layer-parametrized fixtures of the socket tests (memory, redis, fanout).
layer = base.layer
connect = base.connect
_close_thread_connections = base._close_thread_connections
_flush = base._flush

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

ACCESS_WAIT = 1.0  # the bound: access changes reach open sockets within a second


def _events_of(frames: list[dict[str, Any]], ticket_id: int) -> list[str]:
    return [
        f["event"]["type"]
        for f in frames
        if f.get("kind") == "event" and f["event"].get("ticket_id") == ticket_id
    ]


async def _resume_all(socket: Any) -> list[dict[str, Any]]:
    await socket.send({"action": "resume", "after": 0})
    frames: list[dict[str, Any]] = []
    while True:
        frame = await socket.recv()
        if frame["kind"] == "resumed":
            return frames
        if frame["kind"] == "event":
            frames.append(frame)


async def _closed_with(communicator: WebsocketCommunicator) -> int:
    """Read the socket's output until it closes; the close code."""
    for _ in range(50):
        output = await communicator.receive_output(timeout=ACCESS_WAIT + 1)
        if output["type"] == "websocket.close":
            return int(output.get("code", 1000))
    raise AssertionError("the socket was never closed")


async def _open(user: Any) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
    communicator.scope["user"] = user
    connected, _code = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["kind"] == "hello"
    return communicator


async def test_it_stops_a_watched_tickets_notes_once_the_ticket_moves_to_another_team(
    connect: Any, agent_a: Any, agent_b: Any, admin_user: Any, team_b: Any, email_inbox_a: Any
) -> None:
    ticket = await database_sync_to_async(
        lambda: receive(factories.inbound(email_inbox_a, subject="moving")).ticket
    )()
    await _flush()
    alice, bob = await connect(agent_a), await connect(agent_b)
    await alice.send({"action": "watch", "ticket_id": ticket.pk})
    await alice.until(lambda f: f["kind"] == "watching")
    await alice.drain()

    await database_sync_to_async(do_set_team)(admin_user, ticket.pk, team_b.pk)
    await _flush()
    access = await alice.until(lambda f: f["kind"] == "access")
    assert access["unwatched"] == [ticket.pk]
    assert f"ticket.{ticket.pk}" not in access["groups"]

    await database_sync_to_async(do_add_note)(admin_user, ticket.pk, "secret for team B")
    await _flush()
    assert "message.created" in _events_of(await bob.drain(), ticket.pk)
    assert _events_of(await alice.drain(), ticket.pk) == []
    # Nor from the log: the ticket's history went with it to team B.
    assert _events_of(await _resume_all(alice), ticket.pk) == []
    # And watching it again is refused with fresh data.
    await alice.send({"action": "watch", "ticket_id": ticket.pk})
    refusal = await alice.until(lambda f: f["kind"] in {"error", "watching"})
    assert refusal == {"kind": "error", "message": f"ticket {ticket.pk} not found"}


async def test_it_closes_the_socket_of_a_deactivated_user_with_4403(
    layer: str, agent_a: Any, email_inbox_a: Any
) -> None:
    communicator = await _open(agent_a)

    def deactivate() -> None:
        user = get_user_model().objects.get(pk=agent_a.pk)
        user.is_active = False
        user.save()  # as the admin's user form does

    await database_sync_to_async(deactivate)()
    await _flush()
    assert await _closed_with(communicator) == 4403
    agent = await database_sync_to_async(Agent.objects.get)(user=agent_a)
    assert agent.presence == "offline"
    await communicator.disconnect()


async def test_it_closes_the_socket_when_the_agent_profile_is_deleted(
    layer: str, agent_a: Any
) -> None:
    communicator = await _open(agent_a)
    await database_sync_to_async(lambda: Agent.objects.filter(user=agent_a).delete())()
    await _flush()
    assert await _closed_with(communicator) == 4403
    await communicator.disconnect()


async def test_it_leaves_the_team_groups_of_an_agent_removed_from_all_teams(
    connect: Any, agent_a: Any, team_a: Any, email_inbox_a: Any
) -> None:
    alice = await connect(agent_a)
    await alice.drain()
    await database_sync_to_async(lambda: Agent.objects.get(user=agent_a).teams.clear())()
    await _flush()
    access = await alice.until(lambda f: f["kind"] == "access")
    assert access["groups"] == [f"agent.{agent_a.pk}"]

    def new_ticket() -> int:
        ticket = receive(factories.inbound(email_inbox_a, subject="after removal")).ticket
        do_add_note(factories.make_user("root", role=Role.ADMIN), ticket.pk, "internal")
        return int(ticket.pk)

    ticket_id = await database_sync_to_async(new_ticket)()
    await _flush()
    assert _events_of(await alice.drain(), ticket_id) == []
    assert await _resume_all(alice) == []


async def test_it_leaves_a_team_removed_from_the_teams_side(
    connect: Any, agent_a: Any, team_a: Any
) -> None:
    alice = await connect(agent_a)
    await alice.drain()
    agent = await database_sync_to_async(Agent.objects.get)(user=agent_a)
    await database_sync_to_async(lambda: team_a.agents.remove(agent))()
    await _flush()
    access = await alice.until(lambda f: f["kind"] == "access")
    assert f"team.{team_a.pk}" not in access["groups"]


async def test_it_joins_a_team_the_agent_is_added_to(
    connect: Any, agent_a: Any, team_a: Any, team_b: Any, email_inbox_b: Any
) -> None:
    alice = await connect(agent_a)
    await alice.drain()
    await database_sync_to_async(lambda: Agent.objects.get(user=agent_a).teams.add(team_b))()
    await _flush()
    access = await alice.until(lambda f: f["kind"] == "access")
    assert set(access["groups"]) == {
        f"team.{team_a.pk}",
        f"team.{team_b.pk}",
        f"agent.{agent_a.pk}",
    }
    ticket = await database_sync_to_async(
        lambda: receive(factories.inbound(email_inbox_b)).ticket
    )()
    await _flush()
    assert "ticket.created" in _events_of(await alice.drain(), ticket.pk)


async def test_it_narrows_a_demoted_admins_groups(
    connect: Any, admin_user: Any, team_a: Any, team_b: Any
) -> None:
    admin = await connect(admin_user)
    await admin.drain()

    def demote() -> None:
        agent = Agent.objects.get(user=admin_user)
        agent.role = Role.AGENT
        agent.save()
        agent.teams.set([team_b])

    await database_sync_to_async(demote)()
    await _flush()
    frames = [f for f in await admin.drain() if f["kind"] == "access"]
    assert frames[-1]["groups"] == [f"team.{team_b.pk}", f"agent.{admin_user.pk}"]


async def test_it_resumes_with_fresh_access_even_if_the_change_was_never_announced(
    connect: Any, agent_a: Any, email_inbox_a: Any
) -> None:
    """Delivery is at-most-once: resume must not trust what the socket cached at connect."""
    ticket = await database_sync_to_async(
        lambda: receive(factories.inbound(email_inbox_a)).ticket
    )()
    await _flush()
    alice = await connect(agent_a)
    assert _events_of(await _resume_all(alice), ticket.pk)  # readable while in team A

    def silently_remove() -> None:  # a bulk delete sends no m2m signal: no announcement
        Agent.teams.through.objects.filter(agent__user=agent_a).delete()

    await database_sync_to_async(silently_remove)()
    assert _events_of(await _resume_all(alice), ticket.pk) == []
    await alice.send({"action": "watch", "ticket_id": ticket.pk})
    assert (await alice.until(lambda f: f["kind"] in {"error", "watching"}))["kind"] == "error"


async def test_it_closes_on_resume_when_the_user_was_silently_deactivated(
    layer: str, agent_a: Any
) -> None:
    communicator = await _open(agent_a)
    await database_sync_to_async(
        lambda: get_user_model().objects.filter(pk=agent_a.pk).update(is_active=False)
    )()
    await communicator.send_json_to({"action": "resume", "after": 0})
    assert await _closed_with(communicator) == 4403
    await communicator.disconnect()
