"""The one type every channel adapter hands to the core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from helpdesk.models import IdentityKind


@dataclass(frozen=True, slots=True)
class Sender:
    kind: IdentityKind
    address: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class InboundAttachment:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass(frozen=True, slots=True)
class ThreadHints:
    """What a channel knows about which conversation a message belongs to."""

    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    chat_session: str | None = None
    telegram_chat_id: int | None = None
    caller_number: str | None = None
    ticket_number: int | None = None  # e.g. "[#1234]" in an email subject, a deep link
    new_conversation: bool = False  # an explicit new ticket (e.g. an agent's follow-up)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    inbox_id: int
    external_id: str
    sender: Sender
    received_at: datetime
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    thread: ThreadHints = field(default_factory=ThreadHints)
    language: str = ""
    # Auto-generated mail (bounces, out-of-office) is stored but never answered.
    auto_generated: bool = False
    meta: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
