"""python-telegram-bot plumbing for any Bot API service: a Bot at the profile's root,
run from sync code, with bot tokens kept out of logs.

The token is part of every request URL, so it is redacted from anything we log
or store.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import warnings
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import RetryAfter
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

_TOKEN_RE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")


def redact(text: str) -> str:
    """`text` with anything shaped like a bot token replaced."""
    return _TOKEN_RE.sub("<bot-token>", text)


class RedactTokens(logging.Filter):
    """Logging filter: bot tokens never reach a log line (httpx logs request URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_LOGGER_PREFIXES = ("telegram", "httpx", "httpcore", "helpdesk.channel_kit.botapi")


def install_log_redaction(*extra_prefixes: str) -> None:
    """Put RedactTokens on every logger that may see a Bot API URL.

    A filter on a logger does not apply to its children's records, so each
    existing logger of python-telegram-bot and httpx gets one (they are created
    at import time, which has happened once `telegram` is imported).
    """
    import telegram.request  # noqa: F401 - creates the library's loggers

    prefixes = (*_LOGGER_PREFIXES, *extra_prefixes)
    names = [name for name in logging.Logger.manager.loggerDict if name.startswith(prefixes)]
    for name in {*names, *prefixes}:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds the service asked us to wait (an int or a timedelta, depending on PTB's mode)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = exc.retry_after
    return float(value.total_seconds() if isinstance(value, timedelta) else value)


@asynccontextmanager
async def open_bot(root: str, token: str, *, poll_timeout: float = 0) -> AsyncIterator[Bot]:
    """A Bot at API root `root` with its HTTP clients open for the block (no getMe)."""
    request = HTTPXRequest(connection_pool_size=4, read_timeout=30, write_timeout=60)
    updates = HTTPXRequest(read_timeout=10 + poll_timeout)
    bot = Bot(
        token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=request,
        get_updates_request=updates,
    )
    await asyncio.gather(request.initialize(), updates.initialize())
    try:
        yield bot
    finally:
        await asyncio.gather(request.shutdown(), updates.shutdown())


def run_sync[T](coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion from synchronous code (task worker, admin, poller helpers)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # Called from a thread that already runs a loop: use a private thread.
    box: dict[str, Any] = {}

    def _target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=_target, name="botapi-call")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]
