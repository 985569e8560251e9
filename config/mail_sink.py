"""A local SMTP sink for the demo: mail the desk "sends" is kept in var/mail-sink/, never relayed.

`make run` serves it on loopback beside the desk (`rundesk`), and the demo mailbox
sends through it, so demo replies are sent rather than failed and can be read at
/dev/mail/. It exists in development and demo mode only, never in production.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import nh3
from django.conf import settings

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
KEPT = 500  # the newest mails kept; older ones are removed as new ones arrive
MAIL_FROM = "X-Sink-Mail-From"
RCPT_TO = "X-Sink-Rcpt-To"


def enabled() -> bool:
    """Development or demo mode, never production."""
    if getattr(settings, "PRODUCTION", False):
        return False
    return bool(settings.DEBUG or getattr(settings, "HELPDESK_DEMO", False))


def folder() -> Path:
    return Path(settings.VAR_DIR) / "mail-sink"


def port() -> int:
    return int(settings.HELPDESK_MAIL_SINK_PORT)


def store(where: Path, mail_from: str, rcpt_tos: list[str], data: bytes) -> Path:
    """Keep one mail as an .eml file, its SMTP envelope in two headers on top."""
    where.mkdir(parents=True, exist_ok=True)
    envelope = f"{MAIL_FROM}: {mail_from}\r\n{RCPT_TO}: {', '.join(rcpt_tos)}\r\n"
    name = f"{time.time_ns()}-{secrets.token_hex(4)}.eml"
    partial = where / f".{name}.part"
    partial.write_bytes(envelope.encode() + data)
    path = where / name
    os.replace(partial, path)  # a reader never sees half a mail
    for old in sorted(where.glob("*.eml"))[:-KEPT]:
        old.unlink(missing_ok=True)
    return path


class _Keep:
    """aiosmtpd handler: accept every mail and store it."""

    def __init__(self, where: Path) -> None:
        self.where = where

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        store(self.where, envelope.mail_from or "", list(envelope.rcpt_tos), data)
        return "250 Message accepted for delivery"


class MailSink:
    """The sink as one of rundesk's supervised members (helpdesk.runner.Pool)."""

    name = "mail sink"

    def __init__(self, where: Path, host: str = HOST, port: int = 8025) -> None:
        self.where = where
        self.host = host
        self.port = port

    def run(self, stop: threading.Event) -> None:
        """Serve SMTP until `stop` is set; a port already taken is reported once, not retried."""
        from aiosmtpd.controller import Controller

        # aiosmtpd logs every SMTP command at INFO: too chatty beside the desk's own log.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        controller = Controller(_Keep(self.where), hostname=self.host, port=self.port)
        try:
            controller.start()
        except (OSError, RuntimeError) as exc:
            logger.warning(
                "the mail sink could not listen on %s:%s (%s): demo mail will not be sent",
                self.host,
                self.port,
                exc,
            )
            stop.wait()
            return
        logger.info("mail sink on %s:%s keeps mail in %s", self.host, self.port, self.where)
        try:
            stop.wait()
        finally:
            controller.stop()


@dataclass(frozen=True)
class Captured:
    name: str
    sender: str
    recipients: str
    subject: str
    at: datetime | None
    text: str
    html: str  # sanitized


def _parse(path: Path) -> Captured:
    mail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    plain = mail.get_body(preferencelist=("plain",))
    rich = mail.get_body(preferencelist=("html",))
    try:
        at = parsedate_to_datetime(str(mail["Date"])) if mail["Date"] else None
    except (TypeError, ValueError):
        at = None
    if at is None:
        at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return Captured(
        name=path.stem,
        sender=str(mail.get(MAIL_FROM) or mail.get("From") or ""),
        recipients=str(mail.get(RCPT_TO) or mail.get("To") or ""),
        subject=str(mail.get("Subject") or ""),
        at=at,
        text=plain.get_content() if isinstance(plain, EmailMessage) else "",
        # A customer-facing mail may carry anything: only harmless markup is shown.
        html=nh3.clean(rich.get_content()) if isinstance(rich, EmailMessage) else "",
    )


def captured(where: Path, limit: int = 100) -> list[Captured]:
    """The newest mails first."""
    if not where.is_dir():
        return []
    return [_parse(path) for path in sorted(where.glob("*.eml"), reverse=True)[:limit]]
