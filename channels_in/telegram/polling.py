"""Long polling (getUpdates) for every enabled Telegram inbox in polling mode.

The offset (the next update_id to ask for) is saved in the same transaction as
the update it acknowledges, and Telegram only forgets an update when we ask with
a higher offset: so a crash before commit makes the next getUpdates return the
update again, and a committed update is never stored twice.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections, transaction
from telegram import Bot, Update
from telegram.error import InvalidToken

from channels_in.telegram.bot import open_bot, redact
from channels_in.telegram.handler import handle_update
from channels_in.telegram.models import Mode, TelegramConfig

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "my_chat_member"]


def process_update(config_id: int, update: Update) -> str:
    """Handle one polled update and move the offset past it, in one transaction."""
    close_old_connections()
    with transaction.atomic():
        config = TelegramConfig.objects.select_for_update().get(pk=config_id)
        if update.update_id < config.polling_offset:
            return "already acknowledged"
        outcome = handle_update(config, update)
        config.polling_offset = update.update_id + 1
        config.save(update_fields=["polling_offset"])
    return outcome


def skip_update(config_id: int, update_id: int) -> None:
    """Give up on an update that failed too often (it is logged), so later ones flow."""
    with transaction.atomic():
        config = TelegramConfig.objects.select_for_update().get(pk=config_id)
        if update_id >= config.polling_offset:
            config.polling_offset = update_id + 1
            config.save(update_fields=["polling_offset"])


def _polling_configs() -> dict[int, datetime]:
    close_old_connections()
    rows = TelegramConfig.objects.filter(mode=Mode.POLLING, inbox__enabled=True)
    return dict(rows.values_list("pk", "updated_at"))


class TelegramPoller:
    """The Telegram listener of `manage.py listen`: one polling loop per bot."""

    name = "telegram"
    poll_timeout = 25  # seconds Telegram holds a getUpdates open
    refresh_seconds = 30.0  # how often the list of polling inboxes is re-read
    error_backoff = 5.0
    max_failures = 5  # attempts at one update before it is skipped (and logged)

    def __init__(self) -> None:
        self._failures: dict[tuple[int, int], int] = {}

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set; one failing bot never stops the others."""
        asyncio.run(self._main(stop))

    async def _main(self, stop: threading.Event) -> None:
        tasks: dict[int, tuple[datetime, asyncio.Task[None]]] = {}
        loop = asyncio.get_running_loop()
        next_refresh = 0.0
        try:
            while not stop.is_set():
                if loop.time() >= next_refresh:
                    next_refresh = loop.time() + self.refresh_seconds
                    try:
                        wanted = await sync_to_async(_polling_configs)()
                    except Exception:
                        logger.exception("reading the Telegram polling inboxes failed")
                        wanted = {pk: changed for pk, (changed, _t) in tasks.items()}
                    self._reconcile(tasks, wanted, stop)
                await asyncio.sleep(0.1)
        finally:
            for _changed, running in tasks.values():
                running.cancel()
            await asyncio.gather(*(t for _c, t in tasks.values()), return_exceptions=True)
            await sync_to_async(connections.close_all)()

    def _reconcile(
        self,
        tasks: dict[int, tuple[datetime, asyncio.Task[None]]],
        wanted: dict[int, datetime],
        stop: threading.Event,
    ) -> None:
        for pk, (changed, running) in list(tasks.items()):
            # A removed inbox, a changed token or mode, or a crashed loop: restart.
            if wanted.get(pk) != changed or running.done():
                running.cancel()
                del tasks[pk]
        for pk, changed in wanted.items():
            if pk not in tasks:
                tasks[pk] = (changed, asyncio.create_task(self._poll(pk, stop)))

    async def _poll(self, config_id: int, stop: threading.Event) -> None:
        config = await TelegramConfig.objects.aget(pk=config_id)
        backoff = self.error_backoff
        async with open_bot(config.bot_token, poll_timeout=self.poll_timeout) as bot:
            while not stop.is_set():
                try:
                    # getUpdates is refused while a webhook is set: polling mode wins.
                    await bot.delete_webhook(drop_pending_updates=False)
                    break
                except Exception as exc:
                    backoff = await self._pause(config_id, exc, backoff)
            while not stop.is_set():
                try:
                    await self._poll_once(bot, config_id, stop)
                    backoff = self.error_backoff
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    backoff = await self._pause(config_id, exc, backoff)

    async def _poll_once(self, bot: Bot, config_id: int, stop: threading.Event) -> None:
        offset = (await TelegramConfig.objects.aget(pk=config_id)).polling_offset
        updates = await bot.get_updates(
            offset=offset or None, timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES
        )
        for update in updates:
            if stop.is_set():
                return
            key = (config_id, update.update_id)
            try:
                outcome = await sync_to_async(process_update)(config_id, update)
            except Exception:
                self._failures[key] = self._failures.get(key, 0) + 1
                if self._failures[key] < self.max_failures:
                    raise  # nothing committed: the next getUpdates returns it again
                logger.exception("telegram inbox %s: skipping update %s after %s failures",
                                 config_id, update.update_id, self._failures[key])  # fmt: skip
                await sync_to_async(skip_update)(config_id, update.update_id)
                outcome = "skipped"
            self._failures.pop(key, None)
            logger.debug("telegram bot %s: update %s %s", config_id, update.update_id, outcome)

    async def _pause(self, config_id: int, exc: Exception, backoff: float) -> float:
        if isinstance(exc, InvalidToken):
            backoff = max(backoff, 300.0)
        logger.warning("telegram bot %s: polling failed (%s: %s); retrying in %.0f s", config_id,
                       exc.__class__.__name__, redact(str(exc)), backoff)  # fmt: skip
        await asyncio.sleep(backoff)
        return min(backoff * 2, 300.0)
