"""Strict translation of a Bot API Update into what the core understands.

Pure: no database, no network. The handler decides what to do with the result.
The profile supplies the identity kind, the channel_meta key prefix and the
service's download limit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from telegram import Message as TgMessage
from telegram import Update

from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.channel_kit.botapi.shape import MalformedUpdate
from helpdesk.inbound import InboundMessage, Sender, ThreadHints, clean_text

logger = logging.getLogger(__name__)

_START = re.compile(r"^/start(?:@\w+)?(?:\s+(\S+))?\s*$")


@dataclass(frozen=True, slots=True)
class ChatInfo:
    chat_id: int
    user_id: int
    username: str
    first_name: str
    last_name: str
    language_code: str

    def __post_init__(self) -> None:
        # Stored in TelegramChat, outside the InboundMessage the core cleans: the
        # same rule (no NUL, no lone surrogate) applied with the core's function.
        for name in ("username", "first_name", "last_name", "language_code"):
            object.__setattr__(self, name, clean_text(getattr(self, name)))


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A file to fetch with getFile after the message is stored."""

    kind: str
    file_id: str
    name: str
    content_type: str
    size: int | None

    def as_meta(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_id": self.file_id,
            "name": self.name,
            "content_type": self.content_type,
            "size": self.size,
        }


@dataclass(frozen=True, slots=True)
class Incoming:
    """A customer message (new, or an edit of one)."""

    message: InboundMessage
    chat: ChatInfo
    media: tuple[MediaRef, ...] = ()
    shared_phone: str | None = None
    edited: bool = False
    edit_date: int | None = None


@dataclass(frozen=True, slots=True)
class StartCommand:
    chat: ChatInfo
    payload: str
    key: str


@dataclass(frozen=True, slots=True)
class MemberChange:
    """The customer blocked (or unblocked) the bot."""

    chat: ChatInfo
    blocked: bool
    key: str


@dataclass(frozen=True, slots=True)
class Ignored:
    reason: str


@dataclass(frozen=True, slots=True)
class CallbackQuery:
    """The customer pressed an inline-keyboard button of one of the bot's messages."""

    chat: ChatInfo
    query_id: str
    data: str
    message_id: int | None
    key: str


type ParsedUpdate = Incoming | StartCommand | MemberChange | CallbackQuery | Ignored


def external_id(chat_id: int, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


def parse_update(profile: BotApiProfile, update: Update, inbox_id: int) -> ParsedUpdate:
    """What this update means for the desk; group chats and channel posts are Ignored.

    Raises MalformedUpdate when a value load_update let through cannot be read
    (python-telegram-bot computes HTML and dates lazily, from whatever it got).
    """
    try:
        return _parse(profile, update, inbox_id)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError) as exc:
        raise MalformedUpdate(
            f"unreadable {profile.service} update: {type(exc).__name__}: {exc}"
        ) from exc


def _parse(profile: BotApiProfile, update: Update, inbox_id: int) -> ParsedUpdate:
    if update.channel_post or update.edited_channel_post:
        return Ignored("channel post")
    if update.my_chat_member is not None:
        return _member_change(update)
    if update.callback_query is not None:
        return _callback_query(update)
    message = update.message or update.edited_message
    if message is None:
        return Ignored(f"unsupported update type (update {update.update_id})")
    if message.chat.type != "private":
        return Ignored(f"{message.chat.type} chat {message.chat.id}")
    user = message.from_user
    if user is None or user.is_bot:
        return Ignored("message without a human sender")
    chat = ChatInfo(
        chat_id=message.chat.id,
        user_id=user.id,
        username=user.username or "",
        first_name=user.first_name or "",
        last_name=user.last_name or "",
        language_code=user.language_code or "",
    )
    match = _START.match(message.text or "")
    if match and update.message is not None:
        return StartCommand(
            chat, match.group(1) or "", f"start:{chat.chat_id}:{message.message_id}"
        )
    return _incoming(profile, message, chat, inbox_id, edited=update.edited_message is not None)


def _callback_query(update: Update) -> ParsedUpdate:
    query = update.callback_query
    assert query is not None  # noqa: S101 - checked by the caller
    message = query.message
    if message is None or message.chat.type != "private":
        return Ignored("button pressed outside a private chat with the bot")
    user = query.from_user
    chat = ChatInfo(
        message.chat.id,
        user.id,
        user.username or "",
        user.first_name or "",
        user.last_name or "",
        user.language_code or "",
    )
    return CallbackQuery(
        chat, query.id, query.data or "", message.message_id, f"callback:{query.id}"
    )


def _member_change(update: Update) -> ParsedUpdate:
    change = update.my_chat_member
    assert change is not None  # noqa: S101 - checked by the caller
    if change.chat.type != "private":
        return Ignored(f"membership change in {change.chat.type} chat {change.chat.id}")
    user = change.from_user
    status = change.new_chat_member.status
    chat = ChatInfo(
        change.chat.id,
        user.id,
        user.username or "",
        user.first_name or "",
        user.last_name or "",
        user.language_code or "",
    )
    stamp = int(change.date.timestamp())
    return MemberChange(chat, status == "kicked", f"member:{chat.chat_id}:{stamp}:{status}")


def _incoming(
    profile: BotApiProfile, message: TgMessage, chat: ChatInfo, inbox_id: int, *, edited: bool
) -> ParsedUpdate:
    media, notes = _media_of(profile, message)
    body, html = _body(message)
    extra, shared_phone = _describe(message, chat, bool(media) or bool(notes))
    lines = [line for line in (body, *extra, *notes) if line]
    if not lines:
        return Ignored(f"service message {message.message_id} in chat {chat.chat_id}")
    text = "\n".join(lines)
    if html and (extra or notes):
        html += "".join(f"<p>{_escape(line)}</p>" for line in (*extra, *notes))
    user = message.from_user
    assert user is not None  # noqa: S101 - checked by parse_update
    reply = message.reply_to_message
    edit_date = int(message.edit_date.timestamp()) if message.edit_date else None
    meta: dict[str, Any] = {
        profile.meta("chat_id"): chat.chat_id,
        profile.meta("message_id"): message.message_id,
        profile.meta("user_id"): chat.user_id,
        profile.meta("username"): chat.username,
        profile.meta("media"): [m.as_meta() for m in media],
    }
    if edited:
        meta |= {"edited": True, profile.meta("edit_date"): edit_date}
    inbound = InboundMessage(
        inbox_id=inbox_id,
        external_id=external_id(chat.chat_id, message.message_id),
        sender=Sender(
            kind=profile.identity, address=str(chat.user_id), display_name=user.full_name
        ),
        received_at=message.date,
        text=text,
        html=html,
        thread=ThreadHints(
            in_reply_to=external_id(chat.chat_id, reply.message_id) if reply else None,
        ),
        language=chat.language_code[:10],
        meta=meta,
    )
    return Incoming(inbound, chat, tuple(media), shared_phone, edited, edit_date)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _body(message: TgMessage) -> tuple[str, str]:
    """Text or caption, and its formatting entities as HTML (empty when unformatted)."""
    if message.text is not None:
        text, entities = message.text, message.entities
        html = message.text_html_urled if entities else ""
    elif message.caption is not None:
        text, entities = message.caption, message.caption_entities
        html = message.caption_html_urled if entities else ""
    else:
        return "", ""
    if html:
        html = '<div dir="auto">' + html.replace("\n", "<br>") + "</div>"
    return text, html


def _describe(message: TgMessage, chat: ChatInfo, has_media: bool) -> tuple[list[str], str | None]:
    """Lines describing non-text content; the sender's own shared phone number."""
    lines: list[str] = []
    phone: str | None = None
    if message.location is not None:
        loc = message.location
        venue = message.venue
        label = f"[location] {venue.title}, {venue.address}" if venue else "[location]"
        lines.append(
            f"{label} {loc.latitude:.6f}, {loc.longitude:.6f} "
            f"https://www.openstreetmap.org/?mlat={loc.latitude:.6f}&mlon={loc.longitude:.6f}"
        )
    if message.contact is not None:
        contact = message.contact
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
        lines.append(f"[shared contact] {name} {contact.phone_number}".strip())
        # Only the sender's own number (the service verified it) becomes their
        # identity; a card of somebody else is just information.
        if contact.user_id == chat.user_id:
            phone = contact.phone_number.strip()
            # Telegram (and Bale) write international numbers without the "+".
            if phone.isdigit() and not phone.startswith("0"):
                phone = "+" + phone
    if message.sticker is not None:
        lines.append(f"[sticker {message.sticker.emoji or ''}]".replace(" ]", "]"))
    elif has_media and not (message.text or message.caption):
        lines.append(f"[{_media_label(message)}]")
    return lines, phone


def _media_label(message: TgMessage) -> str:
    for kind in ("photo", "animation", "video_note", "video", "voice", "audio", "document"):
        if getattr(message, kind):
            return kind.replace("_", " ")
    return "file"


def _media_of(profile: BotApiProfile, message: TgMessage) -> tuple[list[MediaRef], list[str]]:
    """Files to download, and notes for those too large to fetch."""
    limit = min(profile.download_limit, settings.HELPDESK_ATTACHMENT_MAX_BYTES)
    mid = message.message_id
    candidates: list[MediaRef] = []
    if message.photo:
        # Sizes come smallest first: take the largest we may download.
        fitting = [p for p in message.photo if (p.file_size or 0) <= limit] or [message.photo[-1]]
        best = fitting[-1]
        candidates.append(
            MediaRef("photo", best.file_id, f"photo_{mid}.jpg", "image/jpeg", best.file_size)
        )
    for kind, default_name, default_type in _FILE_KINDS:
        item = getattr(message, kind)
        if item is None or (kind == "document" and message.animation is not None):
            continue
        if kind == "sticker":
            default_name, default_type = _sticker_file(item)
        name = getattr(item, "file_name", None) or default_name.format(mid=mid)
        content_type = getattr(item, "mime_type", None) or default_type
        candidates.append(MediaRef(kind, item.file_id, name, content_type, item.file_size))
    media = [m for m in candidates if m.size is None or m.size <= limit]
    notes = [
        too_large_note(profile, m.name, m.size or 0, limit) for m in candidates if m not in media
    ]
    return media, notes


_FILE_KINDS = (
    ("animation", "animation_{mid}.mp4", "video/mp4"),
    ("document", "document_{mid}", "application/octet-stream"),
    ("video", "video_{mid}.mp4", "video/mp4"),
    ("video_note", "video_note_{mid}.mp4", "video/mp4"),
    ("voice", "voice_{mid}.ogg", "audio/ogg"),
    ("audio", "audio_{mid}.mp3", "audio/mpeg"),
    ("sticker", "", ""),
)


def _sticker_file(sticker: Any) -> tuple[str, str]:
    if sticker.is_animated:
        return "sticker_{mid}.tgs", "application/x-tgsticker"
    if sticker.is_video:
        return "sticker_{mid}.webm", "video/webm"
    return "sticker_{mid}.webp", "image/webp"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def too_large_note(profile: BotApiProfile, name: str, size: int, limit: int) -> str:
    """The note an agent reads instead of a file we could not fetch."""
    if size > profile.download_limit or limit >= profile.download_limit:
        why = f"{profile.service} lets bots download files up to {_mb(profile.download_limit)}"
    else:
        why = f"this desk accepts attachments up to {_mb(limit)}"
    shown = f" ({_mb(size)})" if size else ""
    return (
        f"[file not downloaded: {name}{shown} is too large ({why}); "
        "ask the customer to send it another way]"
    )
