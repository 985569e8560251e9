"""Agent replies and auto-replies to Telegram: sendMessage, sendPhoto, sendDocument."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Bot, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from channels_in.telegram.bot import (
    TELEGRAM_PHOTO_UPLOAD_LIMIT,
    TELEGRAM_UPLOAD_LIMIT,
    open_bot,
    redact,
    retry_after_seconds,
    run_sync,
)
from channels_in.telegram.channel import IDENTITY
from channels_in.telegram.format import telegram_chunks
from channels_in.telegram.models import SentPart, TelegramChat, TelegramConfig
from helpdesk.actions.contacts import do_set_identity_unreachable
from helpdesk.channels import DeliveryError, NotConnected, SendResult
from helpdesk.models import Contact, ContactIdentity, DeliveryStatus, Direction
from helpdesk.models import Message as DeskMessage

_PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
BLOCKED_REASON = "blocked the bot on Telegram"


@dataclass(frozen=True, slots=True)
class Part:
    index: int
    method: str  # "text" | "photo" | "document"
    body: str = ""
    name: str = ""
    data: bytes = b""


@dataclass
class Outcome:
    sent: list[tuple[int, int]]
    error: TelegramError | None = None


class TelegramSender:
    """Delivers an outbound message to the customer's private chat with the inbox's bot."""

    def send(self, message: DeskMessage) -> SendResult:
        """Send text (split at 4096) then files; parts already sent are not sent again."""
        config = TelegramConfig.objects.filter(inbox_id=message.inbox_id).first()
        if config is None:
            raise NotConnected("this inbox has no Telegram bot configured")
        chat = chat_for(message)
        if chat is None:
            raise DeliveryError(
                "the customer has no chat with this bot yet: they must write to it first",
                permanent=True,
            )
        parts = _parts(message)
        done = dict(
            SentPart.objects.filter(message=message).values_list("index", "telegram_message_id")
        )
        todo = [p for p in parts if p.index not in done]
        reply_to = _reply_to(message, chat) if not done else None
        outcome = run_sync(_deliver(config.bot_token, chat.chat_id, todo, reply_to))
        for index, telegram_id in outcome.sent:
            SentPart.objects.get_or_create(
                message=message,
                index=index,
                defaults={"chat_id": chat.chat_id, "telegram_message_id": telegram_id},
            )
            done[index] = telegram_id
        if outcome.error is not None:
            raise _delivery_error(outcome.error, chat)
        first = done[min(done)] if done else None
        return SendResult(external_id=f"{chat.chat_id}:{first}" if first else None)


def chat_for(message: DeskMessage) -> TelegramChat | None:
    """The private chat of the ticket's contact with this inbox's bot (latest used)."""
    contact = Contact.objects.get(pk=message.ticket.contact_id)
    contact = contact.resolve()
    user_ids = [
        int(address)
        for address in ContactIdentity.objects.filter(contact=contact, kind=IDENTITY).values_list(
            "address", flat=True
        )
        if address.lstrip("-").isdigit()
    ]
    return (
        TelegramChat.objects.filter(inbox_id=message.inbox_id, user_id__in=user_ids)
        .order_by("-updated_at")
        .first()
    )


def _parts(message: DeskMessage) -> list[Part]:
    parts = [
        Part(i, "text", body=chunk)
        for i, chunk in enumerate(telegram_chunks(message.text, message.html))
    ]
    for attachment in message.attachments.order_by("id"):
        if attachment.size > TELEGRAM_UPLOAD_LIMIT:
            raise DeliveryError(
                f"{attachment.name} is {attachment.size // (1024 * 1024)} MB; "
                "Telegram bots can send files up to 50 MB",
                permanent=True,
            )
        with attachment.file.open("rb") as fh:
            data = fh.read()
        photo = attachment.content_type in _PHOTO_TYPES and len(data) <= (
            TELEGRAM_PHOTO_UPLOAD_LIMIT
        )
        parts.append(
            Part(len(parts), "photo" if photo else "document", name=attachment.name, data=data)
        )
    return parts


def _reply_to(message: DeskMessage, chat: TelegramChat) -> int | None:
    """Quote the customer's message when it helps: the one an agent chose
    (channel_meta["reply_to_message_id"]), or the customer's latest message when
    something else was sent after it (an auto-reply, an earlier answer)."""
    chosen = message.channel_meta.get("reply_to_message_id")
    inbound = DeskMessage.objects.filter(
        ticket_id=message.ticket_id,
        direction=Direction.INBOUND,
        channel_meta__telegram_chat_id=chat.chat_id,
    )
    if chosen:
        target = inbound.filter(pk=chosen).first()
    else:
        target = inbound.order_by("-created_at", "-id").first()
        answered = (
            target is not None
            and DeskMessage.objects.filter(
                ticket_id=message.ticket_id,
                direction=Direction.OUTBOUND,
                delivery_status=DeliveryStatus.SENT,
                created_at__gt=target.created_at,
            )
            .exclude(pk=message.pk)
            .exists()
        )
        if not answered:
            return None
    if target is None:
        return None
    telegram_id = target.channel_meta.get("telegram_message_id")
    return int(telegram_id) if telegram_id else None


async def _deliver(token: str, chat_id: int, parts: list[Part], reply_to: int | None) -> Outcome:
    outcome = Outcome(sent=[])
    async with open_bot(token) as bot:
        for part in parts:
            reply = (
                ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
                if reply_to and not outcome.sent
                else None
            )
            try:
                sent = await _send_part(bot, chat_id, part, reply)
            except TelegramError as exc:
                outcome.error = exc
                return outcome
            outcome.sent.append((part.index, sent.message_id))
    return outcome


async def _send_part(bot: Bot, chat_id: int, part: Part, reply: ReplyParameters | None) -> Any:
    if part.method == "text":
        return await bot.send_message(
            chat_id, part.body, parse_mode=ParseMode.HTML, reply_parameters=reply
        )
    if part.method == "photo":
        return await bot.send_photo(chat_id, part.data, filename=part.name, reply_parameters=reply)
    return await bot.send_document(chat_id, part.data, filename=part.name, reply_parameters=reply)


def _delivery_error(exc: TelegramError, chat: TelegramChat) -> DeliveryError:
    words = redact(exc.message)
    if isinstance(exc, RetryAfter):
        seconds = retry_after_seconds(exc)
        return DeliveryError(
            f"Telegram rate limit: retry in {seconds:.0f} s", permanent=False, retry_after=seconds
        )
    if isinstance(exc, Forbidden):
        lowered = words.lower()
        if "blocked" in lowered or "deactivated" in lowered:
            reason = BLOCKED_REASON if "blocked" in lowered else "Telegram account deleted"
            do_set_identity_unreachable(IDENTITY, str(chat.user_id), reason)
            return DeliveryError(
                f"not delivered: the customer {reason} ({words}); reply on another channel",
                permanent=True,
            )
        return DeliveryError(f"Telegram refused the message: {words}", permanent=True)
    if isinstance(exc, InvalidToken):
        return DeliveryError(
            "Telegram rejected the bot token: update it in the admin", permanent=True
        )
    if isinstance(exc, BadRequest | ChatMigrated):
        return DeliveryError(f"Telegram refused the message: {words}", permanent=True)
    if isinstance(exc, NetworkError):
        return DeliveryError(f"Telegram could not be reached: {words}", permanent=False)
    return DeliveryError(f"Telegram error: {words}", permanent=False)
