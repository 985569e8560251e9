"""Large attachments are decoded to temporary files while the mail is parsed, copied
into storage by ingest, and the temporary files are gone whatever the outcome
(issue 13.6; the figures are in docs/BENCHMARKS.md, bench/mail_memory.py)."""

from __future__ import annotations

import base64
import errno
import hashlib
import random
import tempfile
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from channels_in.email.parse import UnparseableMail, parse_mail
from channels_in.email.receive import Outcome, RawMail, prepare, store_prepared
from channels_in.email.spooling import SPOOL_ABOVE
from helpdesk.models import Attachment
from tests.channels_in.email.mails import raw

LARGE = random.Random(13).randbytes(SPOOL_ABOVE)  # base64: a third more than the threshold


def _mail(encoded: str, *, sender: str = "From: customer@example.com") -> bytes:
    return raw(
        sender,
        "Message-ID: <large@example.com>",
        "Subject: the scans",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "two files",
        "--b",
        "Content-Type: application/pdf",
        "Content-Transfer-Encoding: base64",
        'Content-Disposition: attachment; filename="scan.pdf"',
        "",
        encoded,
        "--b",
        "Content-Type: image/png",
        "Content-Transfer-Encoding: base64",
        'Content-Disposition: attachment; filename="small.png"',
        "",
        base64.b64encode(b"\x89PNG small").decode(),
        "--b--",
    )


def _wrapped(data: bytes) -> str:
    return base64.encodebytes(data).decode().replace("\n", "\r\n").rstrip()


@pytest.fixture
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory of this test alone, to see every file left in it."""
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    return spool


@pytest.mark.django_db
def test_it_spools_a_large_attachment_and_deletes_the_file_once_stored(
    spool_dir: Path, email_inbox_a: Any, settings: Any
) -> None:
    mail = _mail(_wrapped(LARGE))
    prepared = prepare(mail, email_inbox_a.pk, timezone.now())
    assert prepared.msg is not None
    large, small = prepared.msg.attachments
    assert large.data == b"" and large.spool is not None  # on disk, not in memory
    assert Path(large.spool.path).parent == spool_dir and large.size == len(LARGE)
    assert large.sha256 == hashlib.sha256(LARGE).hexdigest()
    assert small.spool is None and small.data == b"\x89PNG small"

    (done,) = store_prepared(email_inbox_a, [RawMail(mail)], [prepared])

    assert done.outcome == Outcome.IMPORTED and done.message_id is not None
    stored = {a.name: a for a in Attachment.objects.filter(message_id=done.message_id)}
    assert stored["scan.pdf"].size == len(LARGE) and stored["small.png"].size == 10
    with stored["scan.pdf"].file.open("rb") as fh:
        assert fh.read() == LARGE
    assert list(spool_dir.iterdir()) == []


@pytest.mark.django_db
def test_it_deletes_the_spooled_files_when_the_mail_is_not_stored(
    spool_dir: Path, email_inbox_a: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UnparseableMail):  # spooled, then found to have no sender at all
        parse_mail(_mail(_wrapped(LARGE), sender="X-Sender: nobody"))
    assert list(spool_dir.iterdir()) == []

    def full_disk(self: FileSystemStorage, name: str, content: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)  # the storage edge
    mail = _mail(_wrapped(LARGE))
    (done,) = store_prepared(
        email_inbox_a, [RawMail(mail)], [prepare(mail, email_inbox_a.pk, timezone.now())]
    )

    assert done.outcome == Outcome.QUARANTINED
    assert list(spool_dir.iterdir()) == []
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("encoded", "spooled"),
    [
        (_wrapped(LARGE + b"x"), True),  # clean, "==" padding
        (_wrapped(LARGE)[:-1], False),  # one character short: the library's lenient way
        (_wrapped(LARGE)[:9000] + "!" + _wrapped(LARGE)[9000:], False),  # a stray character
        (_wrapped(LARGE[:3001]) + "\r\n" + _wrapped(LARGE[3001:]), False),  # padding half-way
    ],
    ids=["clean", "short", "stray", "padding"],
)
def test_it_decodes_like_the_library_whatever_the_base64(
    spool_dir: Path, encoded: str, spooled: bool
) -> None:
    mail = _mail(encoded)
    library = message_from_bytes(mail, policy=policy.default)
    expected = next(iter(library.iter_attachments())).get_payload(decode=True)

    parsed = parse_mail(mail)

    assert parsed.attachments[0].read() == expected
    assert (parsed.attachments[0].spool is not None) == spooled
    assert parsed.defects == sorted({type(d).__name__ for p in library.walk() for d in p.defects})
    parsed.discard_files()
    assert list(spool_dir.iterdir()) == []
