"""The visitor's WebSocket at /ws/chat/<public key>/ (frame protocol: docs/webchat.md).

Connect checks the inbox and the page's Origin; the first frame (`hello`) proves
who the visitor is with their signed token. The socket then joins only
`chat.<conversation key>`: a token reads and writes its own conversation, nothing
else. Group frames are forwarded as they are, without touching the database.
When the channel layer may have lost frames (helpdesk.fanout) the socket closes
with 4500 and the widget reconnects: its `ready` carries the history again.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from pydantic import BaseModel

from channels_in.webchat import conversations, live, prechat, survey
from channels_in.webchat.conversations import Received, Refused
from channels_in.webchat.limits import Limited
from channels_in.webchat.models import WebchatConfig, WebchatConversation
from channels_in.webchat.parse import FrameError, Hello, Ping, Prechat, Rate, SendMessage, Typing
from channels_in.webchat.parse import parse_frame as parse
from channels_in.webchat.visitor import VisitorToken, origin_allowed
from helpdesk import events
from helpdesk.fanout import CLOSE_INTERRUPTED

logger = logging.getLogger(__name__)

TYPING_INTERVAL = 2.0  # seconds between two forwarded typing frames of one socket


def _json(frame: dict[str, Any]) -> str:
    return json.dumps(frame, cls=DjangoJSONEncoder, ensure_ascii=False)


def _save_prechat(
    config: WebchatConfig,
    token: VisitorToken,
    frame: Prechat,
    language: str,
    client_ip: str | None,
) -> WebchatConversation:
    """Save the pre-chat form; what it refuses is said in the visitor's language."""
    with translation.override(language or None):
        return conversations.save_prechat(config, token, frame, language, client_ip)


def _client_ip(scope: dict[str, Any]) -> str | None:
    """The client's address as the server saw it (behind a proxy: run it with proxy headers)."""
    client = scope.get("client")
    return str(client[0]) if client else None


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _ready(
    config: WebchatConfig, token: VisitorToken, conversation: WebchatConversation | None
) -> tuple[dict[str, Any], tuple[int, int | None, int] | None]:
    if conversation is not None:
        conversation.last_seen_at = timezone.now()
        conversation.save(update_fields=["last_seen_at"])
    frame = {
        "type": "ready",
        "token": token.dumps(),
        "visitor": {
            "name": conversation.name if conversation else "",
            "email": conversation.email if conversation else "",
            "verified": token.verified,
        },
        "prechat_required": bool(
            config.prechat_form
            and not (
                conversation
                and (conversation.prechat_at or conversation.name or conversation.email)
            )
        ),
        "agents_online": conversations.agents_online(config),
        "messages": conversations.history(config, conversation),
    }
    return frame, conversations.current_ticket(conversation)


class VisitorConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """One widget (or standalone chat page) of one visitor."""

    config: WebchatConfig | None = None
    token: VisitorToken | None = None
    language = ""
    name = ""
    ticket: tuple[int, int | None, int] | None = None
    last_typing = 0.0
    interrupted = False

    async def connect(self) -> None:
        public_key = self.scope["url_route"]["kwargs"]["public_key"]
        config = await database_sync_to_async(conversations.get_config)(public_key)
        if config is None:
            await self.close(code=4404)
            return
        if not origin_allowed(config, _header(self.scope, b"origin"), _header(self.scope, b"host")):
            logger.info("webchat socket refused for origin %r", _header(self.scope, b"origin"))
            await self.close(code=4403)
            return
        self.config = config
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.token is not None:
            try:
                await self.channel_layer.group_discard(
                    live.chat_group(self.token.key), self.channel_name
                )
                await sync_to_async(live.mark_gone)(self.token.key)
            except Exception:  # Redis is down: presence expires by itself
                logger.warning("webchat socket cleanup failed", exc_info=True)

    async def desk_interrupted(self, message: dict[str, Any]) -> None:
        """Frames may have been lost (helpdesk.fanout): the widget reconnects for its history."""
        if not self.interrupted:
            self.interrupted = True
            await self.close(code=CLOSE_INTERRUPTED)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=_json(frame))

    async def error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_frame({"type": "error", "code": code, "message": message, **extra})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = parse(text_data)
        except FrameError as exc:
            await self.error(exc.code, exc.message)
            return
        try:
            await self.dispatch_frame(frame)
        except Refused as exc:
            await self.error(exc.code, exc.message)
            await self.close(code=4403)
        except Limited as exc:  # a flood limit: the socket stays, the visitor may retry later
            extra = {"client_id": frame.client_id} if isinstance(frame, SendMessage) else {}
            await self.error(exc.code, exc.message, retry_after=exc.retry_after, **extra)
        except Exception:
            logger.exception("webchat frame %s failed", type(frame).__name__)
            extra = {"client_id": frame.client_id} if isinstance(frame, SendMessage) else {}
            await self.error("server_error", "the server could not handle this frame", **extra)

    async def dispatch_frame(self, frame: BaseModel) -> None:
        if isinstance(frame, Hello):
            await self.hello(frame)
        elif self.token is None:
            await self.error("not_ready", "send a hello frame first")
        elif isinstance(frame, SendMessage):
            await self.message(frame)
        elif isinstance(frame, Typing):
            await self.typing(frame)
        elif isinstance(frame, Prechat):
            await self.prechat(frame)
        elif isinstance(frame, Rate):
            answer = await database_sync_to_async(survey.rate)(
                self.token, frame.request_id, frame.score
            )
            await self.send_frame(answer)
        elif isinstance(frame, Ping):
            await sync_to_async(live.mark_present)(self.token.key)
            await self.send_frame({"type": "pong"})

    async def hello(self, frame: Hello) -> None:
        if self.token is not None:
            await self.error("bad_frame", "hello was already sent")
            return
        assert self.config is not None  # noqa: S101 (set in connect)
        token, conversation = await database_sync_to_async(conversations.open_conversation)(
            self.config, frame
        )
        self.language = frame.language or ""
        self.name = conversations.visitor_name(token.key, conversation.name if conversation else "")
        ready, self.ticket = await database_sync_to_async(_ready)(self.config, token, conversation)
        self.token = token
        await self.channel_layer.group_add(live.chat_group(token.key), self.channel_name)
        await sync_to_async(live.mark_present)(token.key)
        await self.send_frame(ready)

    async def message(self, frame: SendMessage) -> None:
        assert self.config is not None and self.token is not None  # noqa: S101
        wait = await sync_to_async(live.allow_message)(
            self.token.key, self.config.rate_limit_per_minute
        )
        if wait:
            await self.error(
                "rate_limited",
                "too many messages, wait a moment",
                client_id=frame.client_id,
                retry_after=wait,
            )
            return
        received: Received = await database_sync_to_async(conversations.receive_from_visitor)(
            self.config,
            self.token,
            client_id=frame.client_id,
            text=frame.text,
            language=self.language,
            client_ip=_client_ip(self.scope),
        )
        self.ticket = (received.ticket_id, received.team_id, received.contact_id)
        await self.send_frame(
            {
                "type": "ack",
                "client_id": frame.client_id,
                "message_id": received.frame["id"],
                "status": "sent",
                "duplicate": not received.created,
            }
        )
        if received.created:  # other tabs of the same visitor show it too
            await events.apublish(
                [live.chat_group(self.token.key)], {"type": "message", "message": received.frame}
            )

    async def typing(self, frame: Typing) -> None:
        now = time.monotonic()
        if self.ticket is None or (frame.is_typing and now - self.last_typing < TYPING_INTERVAL):
            return
        self.last_typing = now if frame.is_typing else 0.0
        ticket_id, _team_id, contact_id = self.ticket
        typing = live.visitor_typing_frame(ticket_id, contact_id, self.name, frame.is_typing)
        await events.apublish([f"ticket.{ticket_id}"], typing)

    async def prechat(self, frame: Prechat) -> None:
        assert self.config is not None and self.token is not None  # noqa: S101
        try:
            conversation = await database_sync_to_async(_save_prechat)(
                self.config, self.token, frame, self.language, _client_ip(self.scope)
            )
        except prechat.PrechatInvalid as exc:
            await self.send_frame({"type": "prechat.invalid", "errors": exc.errors})
            return
        self.name = conversations.visitor_name(conversation.key, conversation.name)
        await self.send_frame(
            {"type": "prechat.saved", "name": conversation.name, "email": conversation.email}
        )

    async def desk_event(self, message: dict[str, Any]) -> None:
        # Only live.py and the sender publish to chat.<key>, already in widget shape.
        await self.send_frame(message["event"])
