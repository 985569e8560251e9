"""The agent's WebSocket: live events for the groups the agent may read.

Client frames:
  {"action": "resume", "after": <seq>}              catch up from the event log
  {"action": "watch" | "unwatch", "ticket_id": n}   join / leave one ticket's group
  {"action": "typing", "ticket_id": n, "mode": "reply" | "note", "active": bool}
  {"action": "viewing", "ticket_id": n, "state": "viewing" | "replying"}  (heartbeat)
  {"action": "presence", "state": "online" | "away" | "offline"}
Server frames: {"kind": "hello" | "resumed" | "watching" | "error", ...} and
{"kind": "event", "event": {...}} for stored events (with "seq") and ephemeral
ones ("seq": null: typing, viewing, presence).

Event handlers never touch the database; the agent's name and teams are read
once on connect.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from helpdesk.actions.errors import ActionError
from helpdesk.events import Ephemeral, apublish, ephemeral_frame, to_frame
from helpdesk.fanout import SERVER_SEND, FrameWriter
from helpdesk.models import ChannelKind, Direction, Message, Team, Ticket
from helpdesk.staff import presence
from helpdesk.staff.access import agent_of, can_read_ticket, is_admin, team_ids, visible_events

logger = logging.getLogger(__name__)

CATCH_UP_LIMIT = 500
TYPING_MODES = {"reply", "note"}
VIEWING_STATES = {"viewing", "replying"}


def _groups_for_user(user: Any) -> list[str]:
    if is_admin(user):
        ids = list(Team.objects.values_list("id", flat=True))
        return [f"team.{i}" for i in ids] + ["team.none", f"agent.{user.pk}"]
    return [f"team.{i}" for i in sorted(team_ids(user))] + [f"agent.{user.pk}"]


def _catch_up(user: Any, after: int) -> list[dict[str, Any]]:
    events = visible_events(user).filter(id__gt=after).order_by("id")[:CATCH_UP_LIMIT]
    return [to_frame(e) for e in events]


def _open_ticket(user: Any, ticket_id: int) -> str | None:
    """The channel of the ticket if the user may read it (None otherwise).

    Opening a live-chat ticket tells its visitor that their messages reached an agent.
    """
    ticket = Ticket.objects.select_related("inbox").filter(pk=ticket_id).first()
    if ticket is None or not can_read_ticket(user, ticket):
        return None
    kind = str(ticket.inbox.kind)
    if kind == ChannelKind.WEBCHAT:
        from channels_in.webchat import live  # the widget's own frames (docs/webchat.md)

        last = (
            Message.objects.filter(ticket_id=ticket_id, direction=Direction.INBOUND)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        if last is not None:
            live.publish_seen(ticket_id, last)
    return kind


def _on_connect(user: Any) -> tuple[str, list[str], str] | None:
    agent = agent_of(user)
    if agent is None:
        return None
    agent = presence.socket_opened(user) or agent
    return str(agent), _groups_for_user(user), agent.presence


class AgentConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """Joins the agent's team groups and personal group; `watch` adds one ticket group."""

    joined: list[str]
    name: str
    channels: dict[int, str]  # channel kind of each watched ticket
    writer: FrameWriter | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.joined = []
        self.channels = {}
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        setup = await database_sync_to_async(_on_connect)(user)
        if setup is None:
            await self.close(code=4403)
            return
        self.name, groups, presence = setup
        self.counted = True
        self._attach_writer()  # held: frames wait until the hello is out
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined = list(groups)
        await self.accept()
        await self.send_json(
            {"kind": "hello", "user_id": user.pk, "groups": self.joined, "presence": presence}
        )
        if self.writer is not None:
            self.writer.release()

    def _attach_writer(self) -> None:
        """Let a layer that can (helpdesk.fanout) write desk events to this socket itself.

        It writes the frame the publisher serialized once to every member of the
        groups this consumer joined (and only those), without waking this task.
        """
        attach = getattr(self.channel_layer, "attach_writer", None)
        if attach is None:
            return
        # The server's own send when helpdesk.asgi left it (on a socket the session
        # middleware's wrapper only passes frames through).
        self.writer = FrameWriter(self.scope.get(SERVER_SEND, self.base_send), "desk.event")
        attach(self.channel_name, self.writer)

    async def disconnect(self, code: int) -> None:
        if self.writer is not None:
            self.channel_layer.detach_writer(self.channel_name)
            self.writer = None
        for group in list(self.joined):
            if group.startswith("ticket."):
                await self._announce(int(group.split(".", 1)[1]), "left")
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []
        if getattr(self, "counted", False):
            await database_sync_to_async(presence.socket_closed)(self.scope["user"])

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self._error("frames must be JSON objects")
            return
        action = content.get("action")
        user = self.scope["user"]
        if action == "resume":
            await self._resume(user, content.get("after"))
        elif action in {"watch", "unwatch"}:
            await self._watch(user, content.get("ticket_id"), action == "watch")
        elif action == "typing":
            await self._typing(content)
        elif action == "viewing":
            await self._viewing(content)
        elif action == "presence":
            await self._presence(user, content.get("state"))
        else:
            await self._error(f"unknown action {action!r}")

    async def _error(self, message: str) -> None:
        await self.send_json({"kind": "error", "message": message})

    async def _resume(self, user: Any, after: Any) -> None:
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self._error("after must be an integer")
            return
        # Live frames wait behind the catch-up, as they would in the layer's queue.
        if self.writer is not None:
            self.writer.hold()
        try:
            frames = await database_sync_to_async(_catch_up)(user, after)
            for frame in frames:
                await self.send_json({"kind": "event", "event": frame})
            await self.send_json(
                {"kind": "resumed", "count": len(frames), "complete": len(frames) < CATCH_UP_LIMIT}
            )
        finally:
            if self.writer is not None:
                self.writer.release()

    async def _watch(self, user: Any, ticket_id: Any, on: bool) -> None:
        if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
            await self._error("ticket_id must be an integer")
            return
        group = f"ticket.{ticket_id}"
        if not on:
            if group in self.joined:
                await self._announce(ticket_id, "left")
                self.joined.remove(group)
                await self.channel_layer.group_discard(group, self.channel_name)
            return
        kind = await database_sync_to_async(_open_ticket)(user, ticket_id)
        if kind is None:
            await self._error(f"ticket {ticket_id} not found")
            return
        self.channels[ticket_id] = kind
        if group not in self.joined:
            self.joined.append(group)
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"kind": "watching", "ticket_id": ticket_id})
        await self._announce(ticket_id, "viewing")

    def _watched(self, content: dict[str, Any]) -> int | None:
        """The ticket id of a frame, if this socket watches it (no DB: joined already checked)."""
        ticket_id = content.get("ticket_id")
        if isinstance(ticket_id, int) and f"ticket.{ticket_id}" in self.joined:
            return ticket_id
        return None

    async def _announce(self, ticket_id: int, state: str) -> None:
        data = {
            "ticket_id": ticket_id,
            "agent_id": self.scope["user"].pk,
            "name": self.name,
            "state": state,
        }
        await apublish([f"ticket.{ticket_id}"], ephemeral_frame(Ephemeral.VIEWING, data))

    async def _typing(self, content: dict[str, Any]) -> None:
        ticket_id = self._watched(content)
        mode = content.get("mode")
        if ticket_id is None or mode not in TYPING_MODES:
            await self._error("typing needs a watched ticket_id and a mode (reply or note)")
            return
        data = {
            "ticket_id": ticket_id,
            "author_kind": "agent",
            "agent_id": self.scope["user"].pk,
            "name": self.name,
            "mode": mode,
            "active": bool(content.get("active", True)),
        }
        await apublish([f"ticket.{ticket_id}"], ephemeral_frame(Ephemeral.TYPING, data))
        if mode == "reply" and self.channels.get(ticket_id) == ChannelKind.WEBCHAT:
            # The visitor sees reply typing (never note typing) in the widget.
            from channels_in.webchat import live

            await live.apublish_agent_typing(ticket_id, self.name, data["active"])

    async def _viewing(self, content: dict[str, Any]) -> None:
        ticket_id = self._watched(content)
        state = content.get("state")
        if ticket_id is None or state not in VIEWING_STATES:
            await self._error("viewing needs a watched ticket_id and a state")
            return
        await self._announce(ticket_id, state)

    async def _presence(self, user: Any, state: Any) -> None:
        try:
            await database_sync_to_async(presence.do_set_presence)(user, str(state))
        except ActionError as exc:
            await self._error(exc.message)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Layer events become frames without touching the ORM, so they skip
        # Channels' per-message close_old_connections() thread hop, which costs
        # more CPU than the delivery itself (bench/fanout.py).
        if message.get("type") == "desk.event":
            await self.desk_event(message)
            return
        await super().dispatch(message)

    async def desk_event(self, message: dict[str, Any]) -> None:
        # Handlers never touch the database: the publisher sent a complete frame,
        # already serialized (one json.dumps per event, not per socket).
        text = message.get("text")
        if isinstance(text, str):
            await self.send(text_data=text)
        else:
            await self.send_json({"kind": "event", "event": message["event"]})
