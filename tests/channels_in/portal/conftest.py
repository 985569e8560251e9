"""Fixtures of the portal's tests: a loopback SMTP server the desk's mail goes to."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email import policy
from typing import Any

import pytest
from django.core.cache import cache

from channels_in.email.models import MailboxConfig, TlsMode
from helpdesk.ingest import receive
from helpdesk.models import Ticket
from tests import factories
from tests.channels_in.bale.conftest import bale_config, fake_api  # noqa: F401 (fixtures)
from tests.channels_in.email.servers import SmtpRecorder, start_smtp
from tests.channels_in.sms.conftest import gateways, kavenegar, sms_inbox  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Sign-in counters live in the cache: each test starts with none."""
    cache.clear()


@pytest.fixture
def smtp() -> Iterator[SmtpRecorder]:
    controller, recorder, port = start_smtp()
    recorder.port = port  # type: ignore[attr-defined]
    yield recorder
    controller.stop()


@pytest.fixture
def mailbox(email_inbox_a: Any, smtp: SmtpRecorder) -> MailboxConfig:
    return MailboxConfig.objects.create(
        inbox=email_inbox_a,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,  # type: ignore[attr-defined]
        smtp_tls=TlsMode.NONE,
        from_address="support@desk.example",
        timeout=10,
    )


@pytest.fixture
def portal_inbox(team_a: Any) -> Any:
    return factories.make_inbox(team_a, "portal", name="Customer portal")


@pytest.fixture
def sara_ticket(email_inbox_a: Any) -> Ticket:
    """Sara's ticket, received by email."""
    msg = factories.inbound(email_inbox_a, sender="sara@example.com", name="Sara", subject="Refund")
    return receive(msg).ticket


def mail_text(recorder: SmtpRecorder, index: int = -1) -> str:
    mail = email.message_from_bytes(recorder.received[index].data, policy=policy.default)
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(text: str) -> str:
    """The path of the portal link in a mail's text."""
    found = re.search(r"https?://[^/\s]+(/portal/\S+)", text)
    assert found, text
    return found.group(1)
