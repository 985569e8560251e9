"""Long polling (getUpdates) for every enabled inbox of a Bot API channel in polling mode.

The offset (the next update_id to ask for) is saved in the same transaction as
the update it acknowledges, and the service only forgets an update when we ask
with a higher offset: so a crash before commit makes the next getUpdates return
the update again, and a committed update is never stored twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections, transaction
from telegram import Bot, Update
from telegram.error import InvalidToken

from helpdesk.channel_kit.botapi.client import open_bot, redact
from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.channel_kit.supervisor import InboxSupervisor, run_until_stopped

logger = logging.getLogger(__name__)

POLLING = "polling"  # the value of the config's `mode` that asks for long polling


def process_update(
    profile: BotApiProfile,
    config_id: int,
    update: Update,
    handle: Callable[[Any, Update], str],
) -> str:
    """Handle one polled update with `handle` and move the offset past it, in one transaction."""
    close_old_connections()
    with transaction.atomic():
        config = profile.model("config").objects.select_for_update().get(pk=config_id)
        if update.update_id < config.polling_offset:
            return "already acknowledged"
        outcome = handle(config, update)
        config.polling_offset = update.update_id + 1
        config.save(update_fields=["polling_offset"])
    return outcome


def skip_update(profile: BotApiProfile, config_id: int, update_id: int) -> None:
    """Give up on an update that failed too often (it is logged), so later ones flow."""
    with transaction.atomic():
        config = profile.model("config").objects.select_for_update().get(pk=config_id)
        if update_id >= config.polling_offset:
            config.polling_offset = update_id + 1
            config.save(update_fields=["polling_offset"])


class BotApiPoller(InboxSupervisor[int]):
    """A channel's listener of `manage.py listen`: one polling session per bot.

    The supervisor (helpdesk.channel_kit) runs a session per enabled bot in
    polling mode, in its own thread and event loop; a changed token or mode
    restarts it, a failed one is restarted with backoff (a rejected token waits
    at least `invalid_token_backoff`). Subclasses set `profile` and `name` and
    implement `process(config_id, update)` (usually `process_update` with the
    channel's handler) and `skip(config_id, update_id)`.
    """

    profile: BotApiProfile
    name = "botapi"
    poll_timeout = 25  # seconds the service holds a getUpdates open
    initial_backoff = 5.0
    max_backoff = 300.0
    invalid_token_backoff = 300.0
    max_failures = 5  # attempts at one update before it is skipped (and logged)

    def __init__(self) -> None:
        super().__init__()
        self._failures: dict[tuple[int, int], int] = {}

    def process(self, config_id: int, update: Update) -> str:
        """Handle one update (runs in a worker thread, with the ORM)."""
        raise NotImplementedError

    def skip(self, config_id: int, update_id: int) -> None:
        """Move the offset past an update that keeps failing."""
        skip_update(self.profile, config_id, update_id)

    def inboxes(self) -> dict[int, datetime]:
        rows = self.profile.model("config").objects.filter(mode=POLLING, inbox__enabled=True)
        return dict(rows.values_list("pk", "updated_at"))

    def serve(self, key: int, stop: threading.Event) -> None:
        run_until_stopped(stop, lambda: self._poll(key, stop))

    def failed(self, key: int, error: Exception | None, retry_in: float) -> float:
        if isinstance(error, InvalidToken):
            retry_in = max(retry_in, self.invalid_token_backoff)
        described = "stopped" if error is None else f"{type(error).__name__}: {redact(str(error))}"
        logger.warning(
            "%s bot %s: polling failed (%s); retrying in %.0f s",
            self.profile.kind,
            key,
            described,
            retry_in,
        )
        return retry_in

    async def _poll(self, config_id: int, stop: threading.Event) -> None:
        """One session: drop a webhook the service still has, then getUpdates until stopped."""
        configs = self.profile.model("config").objects
        try:
            config = await configs.aget(pk=config_id)
            root = self.profile.api_root()
            async with open_bot(root, config.bot_token, poll_timeout=self.poll_timeout) as bot:
                # getUpdates is refused while a webhook is set: polling mode wins.
                await bot.delete_webhook(drop_pending_updates=False)
                while not stop.is_set():
                    await self._poll_once(bot, config_id, stop)
        finally:
            await sync_to_async(connections.close_all)()

    async def _poll_once(self, bot: Bot, config_id: int, stop: threading.Event) -> None:
        offset = (await self.profile.model("config").objects.aget(pk=config_id)).polling_offset
        updates = await bot.get_updates(
            offset=offset or None,
            timeout=self.poll_timeout,
            allowed_updates=list(self.profile.allowed_updates),
        )
        for update in updates:
            if stop.is_set():
                return
            key = (config_id, update.update_id)
            try:
                outcome = await sync_to_async(self.process)(config_id, update)
            except Exception:
                self._failures[key] = self._failures.get(key, 0) + 1
                if self._failures[key] < self.max_failures:
                    raise  # nothing committed: the next getUpdates returns it again
                logger.exception(
                    "%s inbox %s: skipping update %s after %s failures",
                    self.profile.kind,
                    config_id,
                    update.update_id,
                    self._failures[key],
                )
                await sync_to_async(self.skip)(config_id, update.update_id)
                outcome = "skipped"
            self._failures.pop(key, None)
            logger.debug(
                "%s bot %s: update %s %s", self.profile.kind, config_id, update.update_id, outcome
            )
