"""Slow Telegram work, off the webhook's path: media downloads and welcome messages."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from channels_in.telegram.bot import (
    TELEGRAM_DOWNLOAD_LIMIT,
    open_bot,
    redact,
    retry_after_seconds,
    run_sync,
)
from channels_in.telegram.models import TelegramConfig
from channels_in.telegram.parse import too_large_note
from helpdesk.actions.messages import OutgoingFile, do_update_inbound_message
from helpdesk.models import Message
from helpdesk.task_connection import releases_broken_connection

logger = logging.getLogger(__name__)

MEDIA_ATTEMPTS = 5


class _Temporary(Exception):
    def __init__(self, reason: str, retry_after: float = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@task()
@releases_broken_connection
def download_media(message_id: int, attempt: int = 1) -> str:
    """Fetch the files of a stored Telegram message (getFile + download) and attach them.

    Runs outside any transaction while downloading; a file over Telegram's or our
    limit becomes a note in the message text. Network trouble is retried.
    """
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "gone"
    pending: list[dict[str, Any]] = message.channel_meta.get("telegram_media") or []
    if not pending or message.channel_meta.get("telegram_media_done"):
        return "nothing to do"
    config = TelegramConfig.objects.filter(inbox_id=message.inbox_id).first()
    if config is None:
        return "no bot configured"
    try:
        files, notes = run_sync(_fetch_all(config.bot_token, pending, final=False))
    except _Temporary as exc:
        if attempt < MEDIA_ATTEMPTS:
            delay = max(exc.retry_after, 15 * 2 ** (attempt - 1))
            run_after = timezone.now() + timedelta(seconds=delay)
            download_media.using(run_after=run_after).enqueue(message_id, attempt + 1)
            return f"retry in {delay:.0f}s: {exc.reason}"
        files, notes = run_sync(_fetch_all(config.bot_token, pending, final=True))
    return _attach(message_id, files, notes)


def _attach(message_id: int, files: list[OutgoingFile], notes: list[str]) -> str:
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.channel_meta.get("telegram_media_done"):
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
            meta={"telegram_media_done": True},
        )
    return f"attached {len(files)}, noted {len(notes)}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def _fetch_all(
    token: str, pending: list[dict[str, Any]], *, final: bool
) -> tuple[list[OutgoingFile], list[str]]:
    limit = min(TELEGRAM_DOWNLOAD_LIMIT, settings.HELPDESK_ATTACHMENT_MAX_BYTES)
    files: list[OutgoingFile] = []
    notes: list[str] = []
    async with open_bot(token) as bot:
        for ref in pending:
            name = str(ref.get("name") or "file")
            try:
                result = await _fetch(bot, ref, limit)
            except _Temporary as exc:
                if not final:
                    raise
                result = f"[file not downloaded: {name}: {exc.reason}]"
            if isinstance(result, str):
                notes.append(result)
            else:
                files.append(result)
    return files, notes


async def _fetch(bot: Bot, ref: dict[str, Any], limit: int) -> OutgoingFile | str:
    name = str(ref.get("name") or "file")
    try:
        remote = await bot.get_file(str(ref["file_id"]))
        if remote.file_size and remote.file_size > limit:
            return too_large_note(name, remote.file_size, limit)
        data = bytes(await remote.download_as_bytearray())
    except RetryAfter as exc:
        raise _Temporary("Telegram asked us to slow down", retry_after_seconds(exc)) from exc
    except BadRequest as exc:
        if "too big" in exc.message.lower():
            return too_large_note(name, int(ref.get("size") or 0), limit)
        return f"[file not downloaded: {name}: Telegram said: {redact(exc.message)}]"
    except NetworkError as exc:
        raise _Temporary(f"Telegram could not be reached ({redact(str(exc))})") from exc
    except TelegramError as exc:
        return f"[file not downloaded: {name}: Telegram said: {redact(exc.message)}]"
    if len(data) > limit:
        return too_large_note(name, len(data), limit)
    content_type = str(ref.get("content_type") or "application/octet-stream")
    return OutgoingFile(name=name, content_type=content_type, data=data)


@task()
@releases_broken_connection
def send_welcome(inbox_id: int, chat_id: int) -> str:
    """Answer /start with the inbox's welcome message (best effort, logged on failure)."""
    config = TelegramConfig.objects.filter(inbox_id=inbox_id).first()
    if config is None or not config.welcome_message.strip():
        return "no welcome message"

    async def _send() -> None:
        async with open_bot(config.bot_token) as bot:
            await bot.send_message(chat_id, config.welcome_message)

    try:
        run_sync(_send())
    except TelegramError as exc:
        logger.warning("welcome to chat %s failed: %s", chat_id, redact(str(exc)))
        return "failed"
    return "sent"
