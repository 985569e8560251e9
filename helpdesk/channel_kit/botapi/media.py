"""Slow Bot API work, off the webhook's path: media downloads and welcome messages.

Plain functions taking the channel's profile; each channel wraps them in its own
module-level Django tasks (profile.tasks_module), which `requeue` re-enqueues.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from helpdesk.actions.messages import OutgoingFile, do_update_inbound_message
from helpdesk.channel_kit.botapi.client import open_bot, redact, retry_after_seconds, run_sync
from helpdesk.channel_kit.botapi.parse import too_large_note
from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.models import Message

logger = logging.getLogger(__name__)

MEDIA_ATTEMPTS = 5


class _Temporary(Exception):
    def __init__(self, reason: str, retry_after: float = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def download_media(
    profile: BotApiProfile, message_id: int, attempt: int, requeue: Task[Any, Any]
) -> str:
    """Fetch the files of a stored message (getFile + download) and attach them.

    Runs outside any transaction while downloading; a file over the service's or
    our limit becomes a note in the message text. Network trouble is retried by
    enqueueing `requeue(message_id, attempt + 1)` later.
    """
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "gone"
    pending: list[dict[str, Any]] = message.channel_meta.get(profile.meta("media")) or []
    if not pending or message.channel_meta.get(profile.meta("media_done")):
        return "nothing to do"
    config = profile.model("config").objects.filter(inbox_id=message.inbox_id).first()
    if config is None:
        return "no bot configured"
    token = str(config.bot_token)
    try:
        files, notes = run_sync(_fetch_all(profile, token, pending, final=False))
    except _Temporary as exc:
        if attempt < MEDIA_ATTEMPTS:
            delay = max(exc.retry_after, 15 * 2 ** (attempt - 1))
            run_after = timezone.now() + timedelta(seconds=delay)
            requeue.using(run_after=run_after).enqueue(message_id, attempt + 1)
            return f"retry in {delay:.0f}s: {exc.reason}"
        files, notes = run_sync(_fetch_all(profile, token, pending, final=True))
    return _attach(profile, message_id, files, notes)


def _attach(
    profile: BotApiProfile, message_id: int, files: list[OutgoingFile], notes: list[str]
) -> str:
    done_key = profile.meta("media_done")
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.channel_meta.get(done_key):
            return "already done"  # a concurrent run finished first
        text = "\n".join([message.text, *notes]) if notes else None
        html = None
        if notes and message.html:
            html = message.html + "".join(f"<p>{_escape(n)}</p>" for n in notes)
        do_update_inbound_message(
            message_id,
            text=text,
            html=html,
            files=tuple(files),
            meta={done_key: True},
        )
    return f"attached {len(files)}, noted {len(notes)}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def _fetch_all(
    profile: BotApiProfile, token: str, pending: list[dict[str, Any]], *, final: bool
) -> tuple[list[OutgoingFile], list[str]]:
    limit = min(profile.download_limit, settings.HELPDESK_ATTACHMENT_MAX_BYTES)
    files: list[OutgoingFile] = []
    notes: list[str] = []
    async with open_bot(profile.api_root(), token) as bot:
        for ref in pending:
            name = str(ref.get("name") or "file")
            try:
                result = await _fetch(profile, bot, ref, limit)
            except _Temporary as exc:
                if not final:
                    raise
                result = f"[file not downloaded: {name}: {exc.reason}]"
            if isinstance(result, str):
                notes.append(result)
            else:
                files.append(result)
    return files, notes


async def _fetch(
    profile: BotApiProfile, bot: Bot, ref: dict[str, Any], limit: int
) -> OutgoingFile | str:
    name = str(ref.get("name") or "file")
    service = profile.service
    try:
        remote = await bot.get_file(str(ref["file_id"]))
        if remote.file_size and remote.file_size > limit:
            return too_large_note(profile, name, remote.file_size, limit)
        data = bytes(await remote.download_as_bytearray())
    except RetryAfter as exc:
        raise _Temporary(f"{service} asked us to slow down", retry_after_seconds(exc)) from exc
    except BadRequest as exc:
        if "too big" in exc.message.lower():
            return too_large_note(profile, name, int(ref.get("size") or 0), limit)
        return f"[file not downloaded: {name}: {service} said: {redact(exc.message)}]"
    except NetworkError as exc:
        raise _Temporary(f"{service} could not be reached ({redact(str(exc))})") from exc
    except TelegramError as exc:
        return f"[file not downloaded: {name}: {service} said: {redact(exc.message)}]"
    if len(data) > limit:
        return too_large_note(profile, name, len(data), limit)
    content_type = str(ref.get("content_type") or "application/octet-stream")
    return OutgoingFile(name=name, content_type=content_type, data=data)


def send_welcome(profile: BotApiProfile, inbox_id: int, chat_id: int) -> str:
    """Answer /start with the inbox's welcome message (best effort, logged on failure)."""
    config = profile.model("config").objects.filter(inbox_id=inbox_id).first()
    if config is None or not config.welcome_message.strip():
        return "no welcome message"

    async def _send() -> None:
        async with open_bot(profile.api_root(), config.bot_token) as bot:
            await bot.send_message(chat_id, config.welcome_message)

    try:
        run_sync(_send())
    except TelegramError as exc:
        logger.warning("welcome to chat %s failed: %s", chat_id, redact(str(exc)))
        return "failed"
    return "sent"


def answer_callback(profile: BotApiProfile, inbox_id: int, query_id: str, text: str) -> str:
    """answerCallbackQuery: stop the pressed button's spinner, with `text` as a toast."""
    config = profile.model("config").objects.filter(inbox_id=inbox_id).first()
    if config is None:
        return "no bot configured"

    async def _answer() -> None:
        async with open_bot(profile.api_root(), config.bot_token) as bot:
            await bot.answer_callback_query(query_id, text=text or None)

    try:
        run_sync(_answer())
    except TelegramError as exc:
        # An old query (over 15 minutes) cannot be answered any more: nothing to retry.
        logger.warning("answering button press %s failed: %s", query_id, redact(str(exc)))
        return "failed"
    return "answered"
