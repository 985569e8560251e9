"""A full disk while storing mail (issue 13.7): no orphan files, and the quarantine
entry of a mail that could not be stored closes when the mail is stored later."""

from __future__ import annotations

import base64
import errno
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage

from channels_in.email.models import QuarantinedMail
from channels_in.email.receive import Outcome, RawMail, process_many, process_raw
from helpdesk.models import Attachment, Message
from tests.channels_in.email.mails import raw

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

SHARED = b"the company logo, already stored by an earlier mail"


def _mail(n: int, *files: bytes) -> bytes:
    lines: list[str | bytes] = [
        f"From: customer{n}@example.com",
        f"Message-ID: <disk-{n}@example.com>",
        f"Subject: mail {n}",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        f"mail {n}",
    ]
    for k, data in enumerate(files):
        lines += [
            "--b",
            "Content-Type: application/octet-stream",
            "Content-Transfer-Encoding: base64",
            f'Content-Disposition: attachment; filename="f{n}-{k}.bin"',
            "",
            base64.b64encode(data).decode(),
        ]
    return raw(*lines, "--b--", "")


def _name(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return f"attachments/{digest[:2]}/{digest}"


def _files_on_disk(media: Path) -> set[str]:
    root = media / "attachments"
    return {f"attachments/{p.relative_to(root)}" for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def disk_full_for(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Content whose write fails half-way with ENOSPC, at the storage edge (while on)."""
    state = {"on": True}
    real_save: Any = vars(FileSystemStorage)["_save"]

    def _save(self: FileSystemStorage, name: str, content: Any) -> str:
        if state["on"] and name.endswith(hashlib.sha256(BIG).hexdigest()):
            path = Path(self.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(BIG[:10])  # what fitted on the disk
            raise OSError(errno.ENOSPC, "No space left on device")
        return str(real_save(self, name, content))

    monkeypatch.setattr(FileSystemStorage, "_save", _save)
    return state


BIG = b"a large scan " * 500


def test_it_leaves_no_orphan_files_and_closes_the_quarantine_later(
    settings: Any, email_inbox_a: Any, disk_full_for: dict[str, bool]
) -> None:
    media = Path(settings.MEDIA_ROOT)
    process_raw(email_inbox_a, _mail(0, SHARED))  # the shared file exists before the batch
    batch = [
        RawMail(_mail(1, b"first file", SHARED)),
        RawMail(_mail(2, b"second file")),
        RawMail(_mail(3, b"third file", BIG)),
    ]
    outcomes = [p.outcome for p in process_many(email_inbox_a, batch)]

    # The batch failed; the mails were then stored one by one, only mail 3 failed.
    assert outcomes == [Outcome.IMPORTED, Outcome.IMPORTED, Outcome.QUARANTINED]
    used = set(Attachment.objects.values_list("file", flat=True))
    assert _files_on_disk(media) == used  # no orphan: neither "third file" nor half of BIG
    assert _name(SHARED) in used and _name(b"third file") not in used
    entry = QuarantinedMail.objects.get()
    assert "No space left" in entry.reason and entry.rfc_message_id == "<disk-3@example.com>"

    disk_full_for["on"] = False  # space freed: the same mail arrives again (a re-import)
    again = process_raw(email_inbox_a, _mail(3, b"third file", BIG))
    assert again.outcome == Outcome.IMPORTED
    entry.refresh_from_db()
    assert entry.reprocessed_at is not None and entry.message_id == again.message_id
    assert _files_on_disk(media) == set(Attachment.objects.values_list("file", flat=True))


def test_a_copy_with_the_same_message_id_closes_the_entry(email_inbox_a: Any) -> None:
    entry = QuarantinedMail.objects.create(
        inbox=email_inbox_a,
        raw=b"as the listener saw it",
        sha256="0" * 64,
        reason="ingest error: OSError",
        rfc_message_id="<disk-7@example.com>",
    )
    other = QuarantinedMail.objects.create(
        inbox=email_inbox_a, raw=b"x", sha256="1" * 64, reason="no sender", rfc_message_id=""
    )
    stored = process_raw(email_inbox_a, _mail(7, b"file"))
    entry.refresh_from_db()
    other.refresh_from_db()
    assert entry.message_id == stored.message_id == Message.objects.get().pk
    assert entry.reprocessed_at is not None and other.reprocessed_at is None
