"""Attachments ingest refused (too large) are shown to agents: timeline and API."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.inbound import InboundAttachment
from helpdesk.ingest import receive
from helpdesk.models import Message
from tests import factories
from tests.helpdesk.api.conftest import API

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def message(settings: Any, email_inbox_a: Any) -> Message:
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 2048
    files = (
        InboundAttachment("small.txt", "text/plain", b"fits"),
        InboundAttachment("گزارش بزرگ.pdf", "application/pdf", b"x" * 5000),
    )
    return receive(factories.inbound(email_inbox_a, attachments=files)).message


def test_it_shows_each_refused_file_with_its_reason_in_the_timeline(
    login: Any, agent_a: Any, message: Message
) -> None:
    body = login(agent_a).get(f"/t/{message.ticket_id}/").content.decode()
    assert 'class="refused-attachment"' in body
    assert "<bdi>گزارش بزرگ.pdf</bdi>" in body
    assert "4.9\xa0KB" in body  # its size
    assert "not stored: larger than the 2.0\xa0KB limit" in body
    assert body.count('class="refused-attachment"') == 1  # small.txt is stored, not refused


def test_it_shows_the_reason_in_persian(login: Any, agent_a: Any, message: Message) -> None:
    client = login(agent_a)
    assert client.post("/me/language/", {"language": "fa"}).status_code == 302
    body = client.get(f"/t/{message.ticket_id}/").content.decode()
    assert "ذخیره نشد:" in body and "بزرگ‌تر از سقف" in body


def test_it_lists_refused_files_in_the_api(api: Any, agent_a: Any, message: Message) -> None:
    body = api(agent_a).get(f"{API}/tickets/{message.ticket_id}").json()
    refused = body["messages"][0]["refused_attachments"]
    assert refused == [
        {"name": "گزارش بزرگ.pdf", "size": 5000, "reason": "larger than the 2048 byte limit"}
    ]
    assert [a["name"] for a in body["messages"][0]["attachments"]] == ["small.txt"]


def test_old_or_odd_meta_shapes_do_not_break_the_timeline(
    login: Any, agent_a: Any, message: Message
) -> None:
    Message.objects.filter(pk=message.pk).update(
        channel_meta={"refused_attachments": [{"name": "old.bin", "reason": "too big"}, "junk"]}
    )
    body = login(agent_a).get(f"/t/{message.ticket_id}/").content.decode()
    assert "<bdi>old.bin</bdi>" in body and "not stored: too big" in body
