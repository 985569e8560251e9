"""The IMAP listener: every enabled mailbox in its own thread, IDLE or polling.

Crash safety: a mail is fetched with BODY.PEEK (no \\Seen), stored through the
core in its own transaction, and only then marked or moved on the server and
its UID remembered. A crash anywhere in between means the next run fetches it
again, and Message-ID dedupe makes it exactly one message.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from django.utils import timezone
from imapclient import IMAPClient
from imapclient.imapclient import SEEN

from channels_in.email.models import AfterImport, MailboxConfig, MailboxState
from channels_in.email.receive import RawMail, process_many
from channels_in.email.transport import imap_connect
from helpdesk.channel_kit import InboxSupervisor

logger = logging.getLogger(__name__)

_FETCH_BATCH = 50  # mails fetched in one command and stored in one transaction
_IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE before the 29-minute timeout
_IDLE_CHECK_SECONDS = 2.0  # how quickly a stop request is noticed while idling
# What a session reads once at connect: a change reconnects the mailbox.
_SESSION_SETTINGS = (
    "imap_host",
    "imap_port",
    "imap_tls",
    "imap_user",
    "imap_folder",
    "after_import",
    "move_to_folder",
    "poll_interval",
)


class EmailListener(InboxSupervisor[int]):
    """Receives mail for every enabled email inbox with IMAP settings.

    The supervisor (helpdesk.channel_kit) runs a MailboxWorker session per
    mailbox and reconnects a failed one with backoff (1 s doubling to 5 min); a
    mailbox whose settings change is reconnected with the new ones.
    """

    name = "email"
    max_backoff = 300.0

    def __init__(self, refresh_seconds: float = 30.0, use_idle: bool = True) -> None:
        super().__init__()
        self.refresh_seconds = refresh_seconds
        self.use_idle = use_idle

    def inboxes(self) -> dict[int, tuple[object, ...]]:
        """Mailboxes with IMAP settings, versioned by what a session reads at connect.

        The password is left out of the version: a new one is used at the next reconnect.
        """
        configs = MailboxConfig.objects.filter(inbox__enabled=True).exclude(imap_host="")
        rows = configs.values_list("pk", *_SESSION_SETTINGS)
        return {row[0]: tuple(row[1:]) for row in rows}

    def serve(self, key: int, stop: threading.Event) -> None:
        MailboxWorker(key, stop, use_idle=self.use_idle).session()

    def failed(self, key: int, error: Exception | None, retry_in: float) -> float:
        # No raw exception text from login paths carries a password; we log the
        # type and message only, never the configuration.
        logger.warning("mailbox %s: %s; reconnecting in %.0fs", key, _describe(error), retry_in)
        record_error(key, _describe(error))
        return retry_in


def _describe(error: Exception | None) -> str:
    return "session ended" if error is None else f"{type(error).__name__}: {error}"


def record_error(config_id: int, error: str) -> None:
    """Keep the last error on the mailbox's state, for the admin to read."""
    with contextlib.suppress(Exception):  # the database may be what failed
        MailboxState.objects.update_or_create(
            config_id=config_id, defaults={"last_error": error[:2000]}
        )


class MailboxWorker:
    """One mailbox: connect, catch up from the last UID, then wait for new mail."""

    def __init__(self, config_id: int, stop: threading.Event, *, use_idle: bool = True) -> None:
        self.config_id = config_id
        self.stop = stop
        self.use_idle = use_idle

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
            # A backlog (after downtime, a first sync) is stored a batch per transaction.
            source = f"IMAP {config.imap_folder} UID"
            process_many(config.inbox, [RawMail(raw, f"{source} {u}") for u, raw in raws.items()])
            for uid in raws:
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
