"""The agent socket with Channels' WebsocketCommunicator, on the in-process and Redis layers."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from agents.consumers import AgentConsumer
from config.routing import websocket_urlpatterns
from helpdesk import publisher
from helpdesk.actions.messages import do_add_note
from helpdesk.actions.tickets import do_assign
from helpdesk.ingest import receive
from helpdesk.models import Agent
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

# "memory": the run command's in-process layer (helpdesk.fanout_memory, frame writers);
# "redis": channels-redis' pub/sub layer (frames through the consumer's queue);
# "fanout": the desk's default, whose layer writes group frames to the socket itself.
LAYERS = ["memory"] + (["redis", "fanout"] if os.environ.get("REDIS_URL") else [])
BACKENDS = {
    "redis": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "fanout": "helpdesk.fanout.FanoutPubSubChannelLayer",
}
QUIET = 0.3  # how long "nothing arrives" is waited for


@pytest.fixture(params=LAYERS)
def layer(request: Any, settings: Any) -> str:
    if request.param == "memory":
        backend = "helpdesk.fanout_memory.FanoutMemoryChannelLayer"
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": backend}}
    else:
        prefix = os.environ.get("CHANNEL_LAYER_PREFIX", "helpdesk") + "-test"
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": BACKENDS[request.param],
                "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": prefix},
            }
        }
    return str(request.param)


@pytest.fixture(autouse=True)
async def _close_thread_connections() -> AsyncIterator[None]:
    yield
    # database_sync_to_async runs in a worker thread with its own connection;
    # close it so the test database can be dropped at the end of the session.
    await database_sync_to_async(lambda: connection.close())()


class Socket:
    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.c = communicator

    async def send(self, frame: dict[str, Any]) -> None:
        await self.c.send_json_to(frame)

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        return dict(await self.c.receive_json_from(timeout=timeout))

    async def until(self, wanted: Any, limit: int = 50) -> dict[str, Any]:
        for _ in range(limit):
            frame = await self.recv()
            if wanted(frame):
                return frame
        raise AssertionError("the expected frame never came")

    async def drain(self) -> list[dict[str, Any]]:
        frames = []
        while not await self.c.receive_nothing(timeout=QUIET):
            frames.append(await self.recv())
        return frames


async def _flush() -> None:
    await database_sync_to_async(publisher.flush)()


@pytest.fixture
async def connect(layer: str) -> AsyncIterator[Any]:
    opened: list[WebsocketCommunicator] = []

    async def _connect(user: Any) -> Socket:
        communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
        communicator.scope["user"] = user
        connected, _code = await communicator.connect()
        assert connected
        opened.append(communicator)
        socket = Socket(communicator)
        hello = await socket.recv()
        assert hello["kind"] == "hello"
        return socket

    yield _connect
    for communicator in opened:
        await communicator.disconnect()


def _event_types(frames: list[dict[str, Any]]) -> list[str]:
    return [f["event"]["type"] for f in frames if f.get("kind") == "event"]


async def test_it_closes_anonymous_sockets(layer: str) -> None:
    app = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
    communicator = WebsocketCommunicator(app, "/ws/agent/")
    connected, code = await communicator.connect()
    assert not connected and code == 4401
    communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
    communicator.scope["user"] = AnonymousUser()
    connected, _code = await communicator.connect()
    assert not connected


async def test_it_closes_sockets_of_users_who_are_not_agents(layer: str) -> None:
    from django.contrib.auth import get_user_model

    user = await database_sync_to_async(get_user_model().objects.create_user)("nobody", "pw")
    communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    assert not connected and code == 4403


async def test_it_joins_only_the_agents_own_groups(
    connect: Any, agent_a: Any, team_a: Any, team_b: Any
) -> None:
    communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
    communicator.scope["user"] = agent_a
    await communicator.connect()
    hello = await communicator.receive_json_from()
    assert hello["groups"] == [f"team.{team_a.pk}", f"agent.{agent_a.pk}"]
    await communicator.disconnect()


async def test_it_refuses_to_watch_another_teams_ticket(
    connect: Any, agent_b: Any, email_inbox_a: Any
) -> None:
    ticket = await database_sync_to_async(
        lambda: receive(factories.inbound(email_inbox_a)).ticket
    )()
    bob = await connect(agent_b)
    await bob.send({"action": "watch", "ticket_id": ticket.pk})
    refusal = await bob.until(lambda f: f["kind"] in {"error", "watching"})
    assert refusal == {"kind": "error", "message": f"ticket {ticket.pk} not found"}
    await bob.send({"action": "typing", "ticket_id": ticket.pk, "mode": "reply"})
    assert (await bob.recv())["kind"] == "error"


async def test_it_gives_team_b_none_of_team_as_events(
    connect: Any, agent_a: Any, agent_b: Any, email_inbox_a: Any
) -> None:
    alice, bob = await connect(agent_a), await connect(agent_b)
    await alice.drain()
    await bob.drain()

    def work() -> int:
        ticket = receive(factories.inbound(email_inbox_a, subject="secret")).ticket
        do_assign(agent_a, ticket.pk, agent_a.pk)
        do_add_note(agent_a, ticket.pk, "internal")
        return int(ticket.pk)

    await database_sync_to_async(work)()
    await _flush()
    seen = _event_types(await alice.drain())
    assert {"ticket.created", "message.created", "ticket.assigned"} <= set(seen)
    assert await bob.drain() == []
    # Nor from the log on resume.
    await bob.send({"action": "resume", "after": 0})
    assert await bob.recv() == {"kind": "resumed", "count": 0, "complete": True}


async def test_it_catches_up_from_the_last_sequence_number(
    connect: Any, agent_a: Any, email_inbox_a: Any
) -> None:
    def two_tickets() -> list[int]:
        return [
            int(receive(factories.inbound(email_inbox_a, sender=f"{i}@example.com")).ticket.pk)
            for i in range(2)
        ]

    await database_sync_to_async(two_tickets)()
    await _flush()
    alice = await connect(agent_a)
    await alice.send({"action": "resume", "after": 0})
    frames = []
    while True:
        frame = await alice.recv()
        if frame["kind"] == "resumed":
            break
        frames.append(frame["event"])
    seqs = [f["seq"] for f in frames]
    # 2 x (contact.created + ticket.created + message.created)
    assert seqs == sorted(seqs) and len(seqs) == 6
    json.dumps(frames)  # what Redis carries
    await alice.send({"action": "resume", "after": seqs[1]})
    replay = await alice.until(lambda f: f["kind"] == "event")
    assert replay["event"]["seq"] == seqs[2]


async def test_it_shares_viewing_and_typing_on_a_ticket(
    connect: Any, agent_a: Any, agent_a2: Any, agent_b: Any, email_inbox_a: Any
) -> None:
    ticket = await database_sync_to_async(
        lambda: receive(factories.inbound(email_inbox_a)).ticket
    )()
    await _flush()

    def from_arash(kind: str) -> Any:
        def wanted(f: dict[str, Any]) -> bool:
            event = f.get("event", {})
            return bool(event.get("type") == kind and event["data"].get("agent_id") == agent_a2.pk)

        return wanted

    alice, arash = await connect(agent_a), await connect(agent_a2)
    await alice.send({"action": "watch", "ticket_id": ticket.pk})
    await alice.until(lambda f: f["kind"] == "watching")
    await arash.send({"action": "watch", "ticket_id": ticket.pk})
    viewing = await alice.until(from_arash("viewing"))
    assert viewing["event"]["data"] == {
        "ticket_id": ticket.pk,
        "agent_id": agent_a2.pk,
        "name": "Arash",
        "state": "viewing",
    }
    assert viewing["event"]["seq"] is None
    await arash.send({"action": "viewing", "ticket_id": ticket.pk, "state": "replying"})
    replying = await alice.until(from_arash("viewing"))
    assert replying["event"]["data"]["state"] == "replying"
    await arash.send({"action": "typing", "ticket_id": ticket.pk, "mode": "note"})
    typing = await alice.until(from_arash("typing"))
    assert typing["event"]["data"]["mode"] == "note"
    assert typing["event"]["data"]["name"] == "Arash"
    await arash.send({"action": "unwatch", "ticket_id": ticket.pk})
    left = await alice.until(from_arash("viewing"))
    assert left["event"]["data"]["state"] == "left"


async def test_it_sets_presence_and_tells_the_team(
    connect: Any, agent_a: Any, agent_a2: Any, agent_b: Any
) -> None:
    alice = await connect(agent_a)
    bob = await connect(agent_b)
    arash = await connect(agent_a2)
    await alice.drain()
    await bob.drain()
    await arash.send({"action": "presence", "state": "away"})
    frame = await alice.until(lambda f: f.get("event", {}).get("type") == "presence")
    assert frame["event"]["data"]["presence"] == "away"
    assert frame["event"]["data"]["agent_id"] == agent_a2.pk
    assert not [f for f in await bob.drain() if f.get("event", {}).get("type") == "presence"]
    agent = await database_sync_to_async(Agent.objects.get)(user=agent_a2)
    assert agent.presence == "away"
    await arash.send({"action": "presence", "state": "dancing"})
    assert (await arash.until(lambda f: f["kind"] == "error"))["message"].startswith("unknown")


async def test_it_sets_agents_online_on_connect_and_offline_after_the_last_socket(
    connect: Any, agent_a: Any
) -> None:
    communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
    communicator.scope["user"] = agent_a
    await communicator.connect()
    hello = await communicator.receive_json_from()
    assert hello["presence"] == "online"
    await communicator.disconnect()
    agent = await database_sync_to_async(Agent.objects.get)(user=agent_a)
    assert agent.presence == "offline"


async def test_it_shows_reply_typing_but_never_note_typing_to_a_live_chat_visitor(
    connect: Any, agent_a: Any, team_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels.layers import get_channel_layer

    from channels_in.webchat import live

    inbox = await database_sync_to_async(factories.make_inbox)(team_a, "webchat")
    ticket = await database_sync_to_async(
        lambda: receive(factories.inbound(inbox, sender="visitor-1")).ticket
    )()
    await _flush()
    monkeypatch.setattr(live, "chat_groups_for_ticket", lambda _ticket_id: ["chat.k1"])
    layer = get_channel_layer()
    visitor = await layer.new_channel()
    await layer.group_add("chat.k1", visitor)
    alice = await connect(agent_a)
    await alice.send({"action": "watch", "ticket_id": ticket.pk})
    await alice.until(lambda f: f["kind"] == "watching")
    seen = await layer.receive(visitor)  # opening the ticket marks the visitor's message seen
    assert seen["event"]["type"] == "seen"
    await alice.send({"action": "typing", "ticket_id": ticket.pk, "mode": "note"})
    await alice.send({"action": "typing", "ticket_id": ticket.pk, "mode": "reply"})
    frame = await layer.receive(visitor)
    assert frame["event"] == {"type": "typing", "is_typing": True, "name": "Alice"}
    await layer.group_discard("chat.k1", visitor)
