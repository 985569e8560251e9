"""Real protocol peers on loopback: a throwaway Dovecot IMAP server and an aiosmtpd recorder."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from imapclient import IMAPClient

from channels_in.email.models import MailboxConfig, TlsMode
from tests.net import free_port

IMAP_USER = "desk"
IMAP_PASSWORD = "imap-secret-Pa55"  # a throwaway account of a throwaway server


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dovecot did not start listening")


@dataclass
class Dovecot:
    """A Dovecot serving one passwd-file user over plain IMAP on a loopback port."""

    root: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    def config(self, uid: int, gid: int) -> str:
        r = self.root
        return f"""
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = 100
mail_location = maildir:{r}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {r}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

    def start(self) -> None:
        dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not os.path.exists(dovecot):
            raise RuntimeError("dovecot is not installed (scripts/system-deps.sh installs it)")
        # Mail is stored as an unprivileged system user (Dovecot refuses uid < 100 and root).
        owner = pwd.getpwnam("nobody")
        self.root.chmod(0o755)
        (self.root / "mail").mkdir()
        os.chown(self.root / "mail", owner.pw_uid, owner.pw_gid)
        (self.root / "users").write_text(
            f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}:{owner.pw_uid}:{owner.pw_gid}::"
            f"{self.root}/mail/{IMAP_USER}::\n"
        )
        self.port = free_port()
        conf = self.root / "dovecot.conf"
        conf.write_text(self.config(owner.pw_uid, owner.pw_gid))
        log = self.root / "dovecot.log"
        self.proc = subprocess.Popen(  # noqa: S603 - our own fixed command line
            [dovecot, "-F", "-c", str(conf)], stderr=subprocess.PIPE
        )
        _wait_for_port(self.port, self.proc, log)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(IMAP_USER, IMAP_PASSWORD)
        return client


def start_dovecot() -> Dovecot:
    server = Dovecot(Path(tempfile.mkdtemp(prefix="hd-dovecot-", dir="/tmp")))
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class SmtpRecorder:
    """An aiosmtpd handler that records mail, or answers with the reply it is told to."""

    received: list[Received] = field(default_factory=list)
    rcpt_reply: str | None = None
    data_reply: str | None = None

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.data_reply:
            return self.data_reply
        data = envelope.original_content or envelope.content
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(data)))
        return "250 Message accepted for delivery"


def start_smtp() -> tuple[Controller, SmtpRecorder, int]:
    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, recorder, port


def mails(recorder: SmtpRecorder) -> list[EmailMessage]:
    """What the recorder received, parsed."""
    return [
        message_from_bytes(r.data, _class=EmailMessage, policy=policy.default)
        for r in recorder.received
    ]


def sending_mailbox(inbox: Any, port: int, **fields: Any) -> MailboxConfig:
    """A mailbox for `inbox` that sends through the recorder on `port` (plain SMTP)."""
    defaults: dict[str, Any] = {"from_address": "support@desk.example", "timeout": 10}
    return MailboxConfig.objects.create(
        inbox=inbox,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls=TlsMode.NONE,
        **{**defaults, **fields},
    )
