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
once on connect. When access changes (helpdesk.staff.access_changes) a control
message makes the socket re-read it in a database thread: it leaves the groups it
may no longer read and sends {"kind": "access", "groups", "unwatched"}, or closes
with 4403 when the user is no longer an active agent. `resume` and `watch` read
the user's access fresh from the database every time, never the socket's copy.
When the channel layer may have lost frames (helpdesk.fanout: Redis went away or
came back, a publish failed) the socket closes with 4500; the client reconnects
and resumes from its last seq.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist

from helpdesk import channels
from helpdesk.actions.errors import ActionError
from helpdesk.events import Ephemeral, apublish, ephemeral_frame, settled, to_frame
from helpdesk.fanout import CLOSE_INTERRUPTED, SERVER_SEND, FrameWriter
from helpdesk.models import Team, Ticket
from helpdesk.staff import presence
from helpdesk.staff.access import (
    agent_of,
    can_read_ticket,
    is_admin,
    team_ids,
    visible_events,
    visible_tickets,
)

logger = logging.getLogger(__name__)

CATCH_UP_LIMIT = 500
CLOSE_NO_ACCESS = 4403  # not (or no longer) an active agent: the client stops reconnecting
TYPING_MODES = {"reply", "note"}
VIEWING_STATES = {"viewing", "replying"}


def _groups_for_user(user: Any) -> list[str]:
    if is_admin(user):
        ids = list(Team.objects.values_list("id", flat=True))
        return [f"team.{i}" for i in ids] + ["team.none", f"agent.{user.pk}"]
    return [f"team.{i}" for i in sorted(team_ids(user))] + [f"agent.{user.pk}"]


def _fresh_user(user_id: int) -> Any | None:
    """The user as the database has them now, if still an active agent (else None).

    Never the socket's own user object: it caches the teams it had at connect.
    """
    user = (
        get_user_model().objects.select_related("agent").filter(pk=user_id, is_active=True).first()
    )
    if user is None or agent_of(user) is None:
        return None
    return user


def _catch_up(user_id: int, after: int) -> list[dict[str, Any]] | None:
    """Missed events the user may read now, each checked against fresh access data."""
    user = _fresh_user(user_id)
    if user is None:
        return None
    with settled():  # no smaller seq can commit after this read
        events = list(visible_events(user).filter(id__gt=after).order_by("id")[:CATCH_UP_LIMIT])
    return [to_frame(e) for e in events]


def _current_access(user_id: int, watched: list[int]) -> tuple[list[str], set[int]] | None:
    """(the groups the user may join now, the watched tickets they may still read)."""
    user = _fresh_user(user_id)
    if user is None:
        return None
    readable = visible_tickets(user).filter(pk__in=watched).values_list("pk", flat=True)
    return _groups_for_user(user), set(readable)


def _socket_closed(user: Any) -> None:
    try:
        presence.socket_closed(user)
    except ObjectDoesNotExist:  # the agent profile was deleted while the socket was open
        logger.info("socket of user %s closed after their agent profile went", user.pk)


def _open_ticket(user_id: int, ticket_id: int) -> str | None:
    """The channel of the ticket if the user may read it now (None otherwise).

    Opening a live-chat ticket tells its visitor that their messages reached an agent.
    """
    user = _fresh_user(user_id)
    if user is None:
        return None
    ticket = Ticket.objects.select_related("inbox").filter(pk=ticket_id).first()
    if ticket is None or not can_read_ticket(user, ticket):
        return None
    kind = str(ticket.inbox.kind)
    activity = channels.agent_activity(kind)
    if activity is not None:  # e.g. the chat widget shows "seen" (docs/webchat.md)
        activity.ticket_opened(ticket_id)
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
            await self.close(code=CLOSE_NO_ACCESS)
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
        # The server's own send when config.asgi left it (on a socket the session
        # middleware's wrapper only passes frames through).
        self.writer = FrameWriter(self.scope.get(SERVER_SEND, self.base_send), "desk.event")
        attach(self.channel_name, self.writer)

    async def disconnect(self, code: int) -> None:
        await self._leave_all()

    async def _leave_all(self) -> None:
        if self.writer is not None:
            self.writer.closed = True  # frames already on their way are dropped too
            self.channel_layer.detach_writer(self.channel_name)
            self.writer = None
        for group in list(self.joined):
            await self._leave(group)
        if getattr(self, "counted", False):
            self.counted = False
            await database_sync_to_async(_socket_closed)(self.scope["user"])

    async def _leave(self, group: str) -> None:
        if group.startswith("ticket."):
            ticket_id = int(group.split(".", 1)[1])
            self.channels.pop(ticket_id, None)
            await self._announce(ticket_id, "left")
        self.joined.remove(group)
        try:
            await self.channel_layer.group_discard(group, self.channel_name)
        except Exception:  # Redis is down: the membership is gone here all the same
            logger.warning("leaving %s failed", group, exc_info=True)

    async def desk_interrupted(self, message: dict[str, Any]) -> None:
        """Frames may have been lost (helpdesk.fanout): the client reconnects and resumes."""
        if self.writer is not None:
            self.writer.closed = True  # a socket closes once
            await self.close(code=CLOSE_INTERRUPTED)

    async def desk_access_changed(self, message: dict[str, Any]) -> None:
        """What the user may read changed (helpdesk.staff.access_changes): re-read it."""
        watched = [int(g.split(".", 1)[1]) for g in self.joined if g.startswith("ticket.")]
        access = await database_sync_to_async(_current_access)(self.scope["user"].pk, watched)
        if access is None:
            await self._leave_all()
            await self.close(code=CLOSE_NO_ACCESS)
            return
        groups, readable = access
        keep = set(groups) | {f"ticket.{t}" for t in readable}
        for group in [g for g in self.joined if g not in keep]:
            await self._leave(group)
        for group in groups:
            if group not in self.joined:
                self.joined.append(group)
                await self.channel_layer.group_add(group, self.channel_name)
        unwatched = [t for t in watched if t not in readable]
        await self.send_json({"kind": "access", "groups": self.joined, "unwatched": unwatched})

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
            frames = await database_sync_to_async(_catch_up)(user.pk, after)
            if frames is None:  # no longer an active agent
                await self._leave_all()
                await self.close(code=CLOSE_NO_ACCESS)
                return
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
                await self._leave(group)
            return
        kind = await database_sync_to_async(_open_ticket)(user.pk, ticket_id)
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
        kind = self.channels.get(ticket_id)
        if mode == "reply" and kind is not None:
            # The customer may see reply typing (never note typing), e.g. in the widget.
            activity = channels.agent_activity(kind)
            if activity is not None:
                await activity.agent_typing(ticket_id, self.name, data["active"])

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
