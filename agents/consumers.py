"""The agent's WebSocket: live events for the groups the agent may read."""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from agents.access import agent_of, can_read_ticket, is_admin, team_ids, visible_events
from helpdesk.events import to_frame
from helpdesk.models import Team, Ticket

logger = logging.getLogger(__name__)

CATCH_UP_LIMIT = 500


def _groups_for_user(user: Any) -> list[str]:
    if is_admin(user):
        ids = list(Team.objects.values_list("id", flat=True))
        return [f"team.{i}" for i in ids] + ["team.none", f"agent.{user.pk}"]
    return [f"team.{i}" for i in sorted(team_ids(user))] + [f"agent.{user.pk}"]


def _catch_up(user: Any, after: int) -> list[dict[str, Any]]:
    events = visible_events(user).filter(id__gt=after).order_by("id")[:CATCH_UP_LIMIT]
    return [to_frame(e) for e in events]


def _may_watch(user: Any, ticket_id: int) -> bool:
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    return ticket is not None and can_read_ticket(user, ticket)


class AgentConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """Joins the agent's team groups and personal group; `watch` adds one ticket group.

    Client frames: {"action": "resume", "after": <seq>}, {"action": "watch", "ticket_id": n},
    {"action": "unwatch", "ticket_id": n}. Server frames: {"kind": "event", "event": {...}},
    {"kind": "hello", ...}, {"kind": "error", "message": ...}.
    """

    groups: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        if await database_sync_to_async(agent_of)(user) is None:
            await self.close(code=4403)
            return
        self.joined: list[str] = await database_sync_to_async(_groups_for_user)(user)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"kind": "hello", "user_id": user.pk, "groups": self.joined})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json({"kind": "error", "message": "frames must be JSON objects"})
            return
        action = content.get("action")
        user = self.scope["user"]
        if action == "resume":
            after = content.get("after")
            if not isinstance(after, int) or after < 0:
                await self.send_json({"kind": "error", "message": "after must be an integer"})
                return
            frames = await database_sync_to_async(_catch_up)(user, after)
            for frame in frames:
                await self.send_json({"kind": "event", "event": frame})
            await self.send_json({"kind": "resumed", "count": len(frames)})
        elif action in {"watch", "unwatch"}:
            await self._watch(user, content.get("ticket_id"), action == "watch")
        else:
            await self.send_json({"kind": "error", "message": f"unknown action {action!r}"})

    async def _watch(self, user: Any, ticket_id: Any, on: bool) -> None:
        if not isinstance(ticket_id, int):
            await self.send_json({"kind": "error", "message": "ticket_id must be an integer"})
            return
        group = f"ticket.{ticket_id}"
        if not on:
            if group in self.joined:
                self.joined.remove(group)
                await self.channel_layer.group_discard(group, self.channel_name)
            return
        if not await database_sync_to_async(_may_watch)(user, ticket_id):
            await self.send_json({"kind": "error", "message": f"ticket {ticket_id} not found"})
            return
        if group not in self.joined:
            self.joined.append(group)
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"kind": "watching", "ticket_id": ticket_id})

    async def desk_event(self, message: dict[str, Any]) -> None:
        # Handlers never touch the database: the publishing action sent a complete frame.
        await self.send_json({"kind": "event", "event": message["event"]})
