"""Builders for raw test mail (bytes exactly as a server would hand them over)."""

from __future__ import annotations

import itertools
from email import policy
from email.message import EmailMessage

_seq = itertools.count(1)


def simple(
    *,
    sender: str = "Customer <customer@example.com>",
    to: str = "support@desk.example",
    subject: str = "Help please",
    text: str = "My order has not arrived.",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
) -> bytes:
    mail = EmailMessage(policy=policy.SMTP)
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = "Mon, 02 Jun 2025 10:00:00 +0330"
    mail["Message-ID"] = message_id or f"<test-{next(_seq)}@example.com>"
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(text)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    return mail.as_bytes()


def raw(*lines: str | bytes) -> bytes:
    """A mail written line by line, for the malformed cases the library would not produce."""
    out = [line if isinstance(line, bytes) else line.encode("utf-8") for line in lines]
    return b"\r\n".join(out) + b"\r\n"
