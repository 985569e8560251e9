"""Attachment bytes are stored once per distinct content, under an unguessable name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from helpdesk.attachment_files import content_name, save_content
from helpdesk.inbound import InboundAttachment
from helpdesk.ingest import receive_many
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_the_same_file_in_two_mails_is_stored_once(email_inbox_a: Any) -> None:
    logo = InboundAttachment("logo.png", "image/png", b"\x89PNG same logo")
    other = InboundAttachment("لوگو.png", "image/png", b"\x89PNG same logo")
    first, second = receive_many(
        [inbound(email_inbox_a, attachments=(logo,)), inbound(email_inbox_a, attachments=(other,))]
    )
    a, b = first.message.attachments.get(), second.message.attachments.get()
    assert a.file.name == b.file.name == content_name(b"\x89PNG same logo")
    assert (a.name, b.name) == ("logo.png", "لوگو.png")


def test_a_copy_cut_short_is_not_reused(tmp_path: Path) -> None:
    data = b"%PDF-1.4 " + b"x" * 5000
    partial = Path(settings.MEDIA_ROOT) / content_name(data)
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(data[:100])  # a crash while writing
    name = save_content(data)
    assert name != content_name(data)
    assert (Path(settings.MEDIA_ROOT) / name).read_bytes() == data
    assert save_content(b"fresh bytes") == content_name(b"fresh bytes")
