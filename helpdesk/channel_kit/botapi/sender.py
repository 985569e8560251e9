"""Agent replies and auto-replies over a Bot API: sendMessage, sendPhoto, sendDocument."""

from __future__ import annotations

from dataclasses import dataclass, replace
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

from helpdesk.actions.contacts import do_set_identity_unreachable
from helpdesk.channel_kit.botapi import survey
from helpdesk.channel_kit.botapi.client import open_bot, redact, retry_after_seconds, run_sync
from helpdesk.channel_kit.botapi.format import plain_chunks, telegram_chunks
from helpdesk.channel_kit.botapi.handler import blocked_reason
from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.channels import DeliveryError, NotConnected, SendResult
from helpdesk.models import Contact, ContactIdentity, DeliveryStatus, Direction
from helpdesk.models import Message as DeskMessage

_PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


@dataclass(frozen=True, slots=True)
class Part:
    index: int
    method: str  # "text" | "photo" | "document"
    body: str = ""
    name: str = ""
    data: bytes = b""
    keyboard: Any = None  # an InlineKeyboardMarkup under the text (a survey's scale)


@dataclass
class Outcome:
    sent: list[tuple[int, int]]
    error: TelegramError | None = None


class BotApiSender:
    """Delivers an outbound message to the customer's private chat with the inbox's bot.

    Subclasses set `profile`.
    """

    profile: BotApiProfile

    def send(self, message: DeskMessage) -> SendResult:
        """Send text (split at 4096) then files; parts already sent are not sent again."""
        profile = self.profile
        config = profile.model("config").objects.filter(inbox_id=message.inbox_id).first()
        if config is None:
            raise NotConnected(f"this inbox has no {profile.service} bot configured")
        chat = chat_for(profile, message)
        if chat is None:
            raise DeliveryError(
                "the customer has no chat with this bot yet: they must write to it first",
                permanent=True,
            )
        parts = _parts(profile, message)
        sent_parts = profile.model("part").objects
        done = dict(sent_parts.filter(message=message).values_list("index", "provider_message_id"))
        todo = [p for p in parts if p.index not in done]
        reply_to = _reply_to(profile, message, chat) if not done else None
        outcome = run_sync(_deliver(profile, config.bot_token, chat.chat_id, todo, reply_to))
        for index, provider_id in outcome.sent:
            sent_parts.get_or_create(
                message=message,
                index=index,
                defaults={"chat_id": chat.chat_id, "provider_message_id": provider_id},
            )
            done[index] = provider_id
        if outcome.error is not None:
            raise _delivery_error(profile, outcome.error, chat)
        first = done[min(done)] if done else None
        return SendResult(external_id=f"{chat.chat_id}:{first}" if first else None)

    def send_text(self, address: str, text: str) -> bool:
        """Text the user `address` (their numeric id) outside any ticket, as plain text
        (helpdesk.channels.DirectTexter: the customer portal's sign-in codes).

        A bot can only write to someone who has written to it, so it goes from the
        bot of the enabled inbox whose chat with them was used last; False when there
        is none. Nothing is stored: the text belongs to no conversation and holds a
        secret. A refusal raises DeliveryError, as for a reply.
        """
        profile = self.profile
        if not address.lstrip("-").isdigit():
            return False
        configs = profile.model("config").objects.filter(inbox__enabled=True)
        chat = (
            profile.model("chat")
            .objects.filter(user_id=int(address), inbox_id__in=configs.values("inbox_id"))
            .order_by("-updated_at", "-id")
            .first()
        )
        if chat is None:
            return False
        token = configs.get(inbox_id=chat.inbox_id).bot_token
        error = run_sync(_text(profile, token, chat.chat_id, text))
        if error is not None:
            raise _delivery_error(profile, error, chat)
        return True


def chat_for(profile: BotApiProfile, message: DeskMessage) -> Any:
    """The private chat of the ticket's contact with this inbox's bot (latest used)."""
    contact = Contact.objects.get(pk=message.ticket.contact_id)
    contact = contact.resolve()
    user_ids = [
        int(address)
        for address in ContactIdentity.objects.filter(
            contact=contact, kind=profile.identity
        ).values_list("address", flat=True)
        if address.lstrip("-").isdigit()
    ]
    return (
        profile.model("chat")
        .objects.filter(inbox_id=message.inbox_id, user_id__in=user_ids)
        .order_by("-updated_at")
        .first()
    )


def _parts(profile: BotApiProfile, message: DeskMessage) -> list[Part]:
    chunks = telegram_chunks if profile.html else plain_chunks
    buttons = survey.keyboard(message)
    # A survey's HTML holds its links for email copies: the buttons stand in for them here.
    html = "" if buttons is not None else message.html
    parts = [Part(i, "text", body=chunk) for i, chunk in enumerate(chunks(message.text, html))]
    if buttons is not None and parts:  # the scale under the question's last part
        parts[-1] = replace(parts[-1], keyboard=buttons)
    for attachment in message.attachments.order_by("id"):
        if attachment.size > profile.upload_limit:
            raise DeliveryError(
                f"{attachment.name} is {attachment.size // (1024 * 1024)} MB; "
                f"{profile.service} bots can send files up to "
                f"{profile.upload_limit // (1024 * 1024)} MB",
                permanent=True,
            )
        with attachment.file.open("rb") as fh:
            data = fh.read()
        photo = attachment.content_type in _PHOTO_TYPES and len(data) <= (
            profile.photo_upload_limit
        )
        parts.append(
            Part(len(parts), "photo" if photo else "document", name=attachment.name, data=data)
        )
    return parts


def _reply_to(profile: BotApiProfile, message: DeskMessage, chat: Any) -> int | None:
    """Quote the customer's message when it helps: the one an agent chose
    (channel_meta["reply_to_message_id"]), or the customer's latest message when
    something else was sent after it (an auto-reply, an earlier answer)."""
    chosen = message.channel_meta.get("reply_to_message_id")
    inbound = DeskMessage.objects.filter(
        ticket_id=message.ticket_id,
        direction=Direction.INBOUND,
        **{f"channel_meta__{profile.meta('chat_id')}": chat.chat_id},
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
    provider_id = target.channel_meta.get(profile.meta("message_id"))
    return int(provider_id) if provider_id else None


async def _deliver(
    profile: BotApiProfile, token: str, chat_id: int, parts: list[Part], reply_to: int | None
) -> Outcome:
    outcome = Outcome(sent=[])
    async with open_bot(profile.api_root(), token) as bot:
        for part in parts:
            quote = reply_to if reply_to and not outcome.sent else None
            try:
                sent = await _send_part(profile, bot, chat_id, part, quote)
            except TelegramError as exc:
                outcome.error = exc
                return outcome
            outcome.sent.append((part.index, sent.message_id))
    return outcome


async def _text(
    profile: BotApiProfile, token: str, chat_id: int, text: str
) -> TelegramError | None:
    """One plain sendMessage (no parse mode: the text is not markup); the error, if any."""
    async with open_bot(profile.api_root(), token) as bot:
        try:
            await bot.send_message(chat_id, text)
        except TelegramError as exc:
            return exc
    return None


async def _send_part(
    profile: BotApiProfile, bot: Bot, chat_id: int, part: Part, quote: int | None
) -> Any:
    options: dict[str, Any] = {}
    if quote and profile.reply_parameters:
        options["reply_parameters"] = ReplyParameters(
            message_id=quote, allow_sending_without_reply=True
        )
    elif quote:
        # Services that copied the older Bot API (Bale) take a plain message id.
        options["api_kwargs"] = {"reply_to_message_id": quote}
    if part.method == "text":
        if profile.html:
            options["parse_mode"] = ParseMode.HTML
        if part.keyboard is not None:
            options["reply_markup"] = part.keyboard
        return await bot.send_message(chat_id, part.body, **options)
    if part.method == "photo":
        return await bot.send_photo(chat_id, part.data, filename=part.name, **options)
    return await bot.send_document(chat_id, part.data, filename=part.name, **options)


def _delivery_error(profile: BotApiProfile, exc: TelegramError, chat: Any) -> DeliveryError:
    words = redact(exc.message)
    service = profile.service
    if isinstance(exc, RetryAfter):
        seconds = retry_after_seconds(exc)
        return DeliveryError(
            f"{service} rate limit: retry in {seconds:.0f} s", permanent=False, retry_after=seconds
        )
    if isinstance(exc, Forbidden):
        lowered = words.lower()
        if "blocked" in lowered or "deactivated" in lowered:
            reason = (
                blocked_reason(profile) if "blocked" in lowered else f"{service} account deleted"
            )
            do_set_identity_unreachable(profile.identity, str(chat.user_id), reason)
            return DeliveryError(
                f"not delivered: the customer {reason} ({words}); reply on another channel",
                permanent=True,
            )
        return DeliveryError(f"{service} refused the message: {words}", permanent=True)
    if isinstance(exc, InvalidToken):
        return DeliveryError(
            f"{service} rejected the bot token: update it in the admin", permanent=True
        )
    if isinstance(exc, BadRequest | ChatMigrated):
        return DeliveryError(f"{service} refused the message: {words}", permanent=True)
    if isinstance(exc, NetworkError):
        return DeliveryError(f"{service} could not be reached: {words}", permanent=False)
    return DeliveryError(f"{service} error: {words}", permanent=False)
