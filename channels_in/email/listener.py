"""The IMAP listener: every enabled mailbox in its own thread, IDLE or polling.

Crash safety: a mail is fetched with BODY.PEEK (no \\Seen), stored through the
core in its own transaction, and only then marked or moved on the server and
its UID remembered. A crash anywhere in between means the next run fetches it
again, and Message-ID dedupe makes it exactly one message.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable

from django.db import close_old_connections, connection
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.imapclient import SEEN

from channels_in.email.models import AfterImport, MailboxConfig, MailboxState
from channels_in.email.receive import RawMail, process_many
from channels_in.email.transport import imap_connect

logger = logging.getLogger(__name__)

# Test hook: called with (stage, uid) at "fetched" (before the commit) and
# "committed" (before the server is told). Setting the environment variable to a
# stage name makes the process die there on the spot, like a kill -9 would.
crash_hook: Callable[[str, int], None] | None = None
CRASH_ENV = "HELPDESK_EMAIL_CRASH_AT"

_FETCH_BATCH = 50  # mails fetched in one command and stored in one transaction
_IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE before the 29-minute timeout
_IDLE_CHECK_SECONDS = 2.0  # how quickly a stop request is noticed while idling
_MAX_BACKOFF = 300.0


def _crash_point(stage: str, uid: int) -> None:
    if os.environ.get(CRASH_ENV) == stage:
        os._exit(70)
    if crash_hook is not None:
        crash_hook(stage, uid)


class EmailListener:
    """Receives mail for every enabled email inbox with IMAP settings."""

    name = "email"

    def __init__(self, refresh_seconds: float = 30.0, use_idle: bool = True) -> None:
        self.refresh_seconds = refresh_seconds
        self.use_idle = use_idle

    def run(self, stop: threading.Event) -> None:
        """Serve mailboxes until `stop` is set; mailboxes added or removed are picked up."""
        workers: dict[int, tuple[threading.Thread, threading.Event]] = {}
        try:
            while not stop.is_set():
                wanted = self._wanted()
                for pk in list(workers):
                    thread, own_stop = workers[pk]
                    if pk not in wanted or not thread.is_alive():
                        own_stop.set()
                        del workers[pk]
                for pk in wanted - set(workers):
                    own_stop = threading.Event()
                    worker = MailboxWorker(pk, own_stop, use_idle=self.use_idle)
                    thread = threading.Thread(target=worker.run, name=f"imap-{pk}", daemon=True)
                    thread.start()
                    workers[pk] = (thread, own_stop)
                stop.wait(self.refresh_seconds)
        finally:
            for _thread, own_stop in workers.values():
                own_stop.set()
            for thread, _own_stop in workers.values():
                thread.join(timeout=10)
            connection.close()

    def _wanted(self) -> set[int]:
        try:
            close_old_connections()
            configs = MailboxConfig.objects.filter(inbox__enabled=True).exclude(imap_host="")
            return set(configs.values_list("pk", flat=True))
        except Exception:  # the database is down: keep what runs, retry later
            logger.exception("cannot list mailboxes")
            return set()


class MailboxWorker:
    """One mailbox: connect, catch up from the last UID, then wait for new mail."""

    def __init__(self, config_id: int, stop: threading.Event, *, use_idle: bool = True) -> None:
        self.config_id = config_id
        self.stop = stop
        self.use_idle = use_idle

    def run(self) -> None:
        delay = 1.0
        try:
            while not self.stop.is_set():
                try:
                    self.session()
                    delay = 1.0
                except Exception as exc:  # noqa: BLE001 - any failure: back off and reconnect
                    # No raw exception text from login paths carries a password; we log
                    # the type and message only, never the configuration.
                    logger.warning("mailbox %s: %s: %s", self.config_id, type(exc).__name__, exc)
                    self._record_error(f"{type(exc).__name__}: {exc}")
                    self.stop.wait(delay)
                    delay = min(delay * 2, _MAX_BACKOFF)
                finally:
                    close_old_connections()
        finally:
            connection.close()

    def session(self) -> None:
        """One connection's life; returns when asked to stop, raises on any trouble."""
        config = MailboxConfig.objects.select_related("inbox").get(pk=self.config_id)
        client = imap_connect(config)
        try:
            info = client.select_folder(config.imap_folder)
            state = self._state(config, int(info[b"UIDVALIDITY"]))
            idle = self.use_idle and b"IDLE" in client.capabilities()
            while not self.stop.is_set():
                self.sync(client, config, state)
                if idle:
                    self._idle(client)
                else:
                    self.stop.wait(config.poll_interval)
                    client.noop()
        finally:
            with contextlib.suppress(Exception):  # the connection may already be gone
                client.logout()

    def _state(self, config: MailboxConfig, uidvalidity: int) -> MailboxState:
        state, _created = MailboxState.objects.get_or_create(
            config=config, defaults={"folder": config.imap_folder, "uidvalidity": uidvalidity}
        )
        if state.folder != config.imap_folder or state.uidvalidity != uidvalidity:
            # New folder or the server renumbered it: scan it all again; Message-ID
            # dedupe keeps the mails already stored from being stored twice.
            logger.info("mailbox %s: UIDVALIDITY changed, rescanning", config.pk)
            state.folder, state.uidvalidity, state.last_uid = config.imap_folder, uidvalidity, 0
            state.save(update_fields=["folder", "uidvalidity", "last_uid", "updated_at"])
        return state

    def sync(self, client: IMAPClient, config: MailboxConfig, state: MailboxState) -> int:
        """Fetch and store every mail above the last UID; returns how many were handled."""
        uids = sorted(
            u for u in client.search(["UID", f"{state.last_uid + 1}:*"]) if u > state.last_uid
        )
        for start in range(0, len(uids), _FETCH_BATCH):
            if self.stop.is_set():
                break
            chunk = uids[start : start + _FETCH_BATCH]
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            raws: dict[int, bytes] = {}
            for uid in chunk:
                body = fetched.get(uid, {}).get(b"BODY[]")
                if isinstance(body, bytes):
                    raws[uid] = body
                    _crash_point("fetched", uid)
            # A backlog (after downtime, a first sync) is stored a batch per transaction.
            source = f"IMAP {config.imap_folder} UID"
            process_many(config.inbox, [RawMail(raw, f"{source} {u}") for u, raw in raws.items()])
            for uid in raws:
                _crash_point("committed", uid)
                self._after_import(client, config, uid)
            state.last_uid = chunk[-1]
            state.last_error = ""
            state.last_success_at = timezone.now()
            state.save(update_fields=["last_uid", "last_error", "last_success_at", "updated_at"])
        return len(uids)

    def _after_import(self, client: IMAPClient, config: MailboxConfig, uid: int) -> None:
        if config.after_import == AfterImport.MARK_SEEN:
            client.add_flags([uid], [SEEN], silent=True)
        elif config.after_import == AfterImport.MOVE and config.move_to_folder:
            if not client.folder_exists(config.move_to_folder):
                client.create_folder(config.move_to_folder)
            if client.has_capability("MOVE"):
                client.move([uid], config.move_to_folder)
            else:
                client.copy([uid], config.move_to_folder)
                client.delete_messages([uid], silent=True)
                client.uid_expunge([uid])

    def _idle(self, client: IMAPClient) -> None:
        """Wait in IDLE until the server reports something, the renew time, or stop."""
        client.idle()
        try:
            waited = 0.0
            while not self.stop.is_set() and waited < _IDLE_RENEW_SECONDS:
                if client.idle_check(timeout=_IDLE_CHECK_SECONDS):
                    return
                waited += _IDLE_CHECK_SECONDS
        finally:
            client.idle_done()

    def _record_error(self, error: str) -> None:
        with contextlib.suppress(Exception):  # the database may be what failed
            MailboxState.objects.update_or_create(
                config_id=self.config_id, defaults={"last_error": error[:2000]}
            )
