"""Connections to a mailbox's IMAP and SMTP servers, and the admin's connection test.

Error messages name the host and what went wrong in plain words; they never
contain a password (library exceptions do not carry it, and we add none).
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl

from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from channels_in.email.models import MailboxConfig, TlsMode


def imap_connect(config: MailboxConfig) -> IMAPClient:
    """A logged-in IMAP client (the folder is not selected yet)."""
    context = ssl.create_default_context()
    client = IMAPClient(
        config.imap_host,
        port=config.imap_port,
        ssl=config.imap_tls == TlsMode.IMPLICIT,
        ssl_context=context,
        timeout=config.timeout,
    )
    try:
        if config.imap_tls == TlsMode.STARTTLS:
            client.starttls(context)
        client.login(config.imap_user, config.imap_password)
    except BaseException:
        _quietly_close(client)
        raise
    return client


def _quietly_close(client: IMAPClient) -> None:
    with contextlib.suppress(Exception):  # already failing; the first error matters
        client.shutdown()


def smtp_connect(config: MailboxConfig) -> smtplib.SMTP:
    """A connected (and, if configured, authenticated) SMTP client."""
    if config.smtp_tls == TlsMode.IMPLICIT:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config.smtp_host,
            config.smtp_port,
            timeout=config.timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout)
    try:
        smtp.ehlo_or_helo_if_needed()
        if config.smtp_tls == TlsMode.STARTTLS:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def describe_network_error(exc: BaseException, what: str, host: str, port: int) -> str:
    """A plain-words description of a connection problem (no secrets)."""
    where = f"{host}:{port}"
    if isinstance(exc, socket.gaierror):
        return _("%(what)s: the server name %(host)s cannot be found") % {
            "what": what,
            "host": host,
        }
    if isinstance(exc, ConnectionRefusedError):
        return _("%(what)s: %(where)s refused the connection (wrong port, or server down)") % {
            "what": what,
            "where": where,
        }
    if isinstance(exc, TimeoutError | socket.timeout):
        return _("%(what)s: no answer from %(where)s (firewall, or wrong port)") % {
            "what": what,
            "where": where,
        }
    if isinstance(exc, ssl.SSLError):
        return _(
            "%(what)s: the secure connection to %(where)s failed (%(err)s); check the "
            "security setting (TLS or STARTTLS) for this port"
        ) % {
            "what": what,
            "where": where,
            "err": exc.reason or exc,
        }
    return f"{what}: {where}: {type(exc).__name__}: {exc}"


def check_imap(config: MailboxConfig) -> str | None:
    """None when IMAP works (login and folder); otherwise the problem in plain words."""
    if not config.imap_host:
        return _("IMAP: no server is configured")
    try:
        client = imap_connect(config)
    except LoginError:
        return _(
            "IMAP: the server refused the user name or password for %(user)s "
            "(Gmail and Microsoft 365 need an app password)"
        ) % {"user": config.imap_user}
    except (OSError, IMAPClientError) as exc:
        return describe_network_error(exc, "IMAP", config.imap_host, config.imap_port)
    try:
        if not client.folder_exists(config.imap_folder):
            return _("IMAP: the folder %(folder)s does not exist") % {"folder": config.imap_folder}
        client.select_folder(config.imap_folder, readonly=True)
    except (OSError, IMAPClientError) as exc:
        return f"IMAP: {exc}"
    finally:
        _quietly_close(client)
    return None


def check_smtp(config: MailboxConfig) -> str | None:
    """None when SMTP works (connect, TLS, login); otherwise the problem in plain words."""
    if not config.smtp_host:
        return _("SMTP: no server is configured")
    try:
        smtp = smtp_connect(config)
    except smtplib.SMTPAuthenticationError as exc:
        words = _words(exc.smtp_error)
        return _("SMTP: the server refused the user name or password for %(user)s: %(words)s") % {
            "user": config.smtp_user,
            "words": words,
        }
    except smtplib.SMTPNotSupportedError as exc:
        return f"SMTP: {exc} (check the security setting)"
    except smtplib.SMTPResponseException as exc:
        words = _words(exc.smtp_error)
        return f"SMTP: the server answered {exc.smtp_code} {words}"
    except (OSError, smtplib.SMTPException) as exc:
        return describe_network_error(exc, "SMTP", config.smtp_host, config.smtp_port)
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
    return None


def _words(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
