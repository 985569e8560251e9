from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from channels_in.email.listener import EmailListener
from channels_in.email.models import MailboxConfig, TlsMode
from tests.channels_in.email.servers import (
    IMAP_PASSWORD,
    IMAP_USER,
    Dovecot,
    start_dovecot,
)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    server = start_dovecot()
    yield server
    server.stop()


@pytest.fixture
def imap_folder(dovecot: Dovecot) -> str:
    """A fresh folder per test, so tests share one server without seeing each other's mail."""
    name = f"t{uuid.uuid4().hex[:12]}"
    client = dovecot.client()
    client.create_folder(name)
    client.logout()
    return name


@pytest.fixture
def mailbox(email_inbox_a: Any, dovecot: Dovecot, imap_folder: str, smtp: Any) -> MailboxConfig:
    return MailboxConfig.objects.create(
        inbox=email_inbox_a,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_tls=TlsMode.NONE,
        imap_user=IMAP_USER,
        imap_password=IMAP_PASSWORD,
        imap_folder=imap_folder,
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_tls=TlsMode.NONE,
        from_address="support@desk.example",
        from_name="پشتیبانی Desk",
        timeout=10,
    )


@pytest.fixture
def run_listener() -> Iterator[Callable[..., EmailListener]]:
    """Start the email listener in a thread (as `manage.py listen` does); stopped after the test."""
    running: list[tuple[threading.Thread, threading.Event]] = []

    def _start(**kwargs: Any) -> EmailListener:
        listener = EmailListener(refresh_seconds=kwargs.pop("refresh_seconds", 0.3), **kwargs)
        stop = threading.Event()
        thread = threading.Thread(target=listener.run, args=(stop,), daemon=True)
        thread.start()
        running.append((thread, stop))
        return listener

    yield _start
    for _thread, stop in running:
        stop.set()
    for thread, _stop in running:
        thread.join(timeout=20)


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll until `predicate()` is truthy (a correctness deadline, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout}s")
