from __future__ import annotations

import mailbox as mailbox_lib
from email.message import EmailMessage
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from helpdesk.models import Inbox, Message
from tests.channels_in.email.mails import raw, simple

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_mail", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_eml_directories_mbox_and_maildir_once(tmp_path: Path, capsys: Any) -> None:
    folder = tmp_path / "emls"
    folder.mkdir()
    (folder / "a.eml").write_bytes(simple(message_id="<a@x>"))
    (folder / "b.eml").write_bytes(simple(message_id="<b@x>", subject="سلام"))
    (folder / "broken.eml").write_bytes(raw("Subject: no sender", "", "x"))
    box = mailbox_lib.mbox(str(tmp_path / "archive.mbox"))
    box.add(simple(message_id="<c@x>"))
    box.add(simple(message_id="<a@x>"))  # the same mail as a.eml
    box.close()
    maildir = mailbox_lib.Maildir(str(tmp_path / "Maildir"))
    maildir.add(simple(message_id="<d@x>"))
    single = tmp_path / "single.eml"
    single.write_bytes(simple(message_id="<e@x>"))

    paths = [str(folder), str(tmp_path / "archive.mbox"), str(tmp_path / "Maildir"), str(single)]
    out, _err = _run("--inbox", "Archive", *paths)
    assert out.strip().splitlines()[-1] == "imported 5, duplicates 1, quarantined 1"
    assert "7/7" in capsys.readouterr().err
    inbox = Inbox.objects.get(name="Archive")
    assert inbox.kind == "email" and inbox.team.name == "Default"
    assert Message.objects.get(external_id="<b@x>").subject == "سلام"

    out, _err = _run("--inbox", "Archive", *paths)
    assert out.strip().splitlines()[-1] == "imported 0, duplicates 7, quarantined 0"
    assert Message.objects.count() == 5


def test_it_imports_in_batches_parsed_by_worker_processes(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    with_file = EmailMessage()
    with_file["From"], with_file["Message-ID"] = "Sara <sara@example.com>", "<m0@x>"
    with_file["Subject"] = "رسید"
    with_file.set_content("رسید پیوست است")
    with_file.add_attachment(
        b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="رسید.pdf"
    )
    (folder / "00.eml").write_bytes(with_file.as_bytes())
    for i in range(1, 7):  # each a reply to the one before: threads cross batches
        mail = simple(message_id=f"<m{i}@x>", headers={"In-Reply-To": f"<m{i - 1}@x>"})
        (folder / f"{i:02d}.eml").write_bytes(mail)
    (folder / "07.eml").write_bytes(raw("Subject: no sender", "", "x"))

    out, _err = _run("--inbox", "Drop", "--batch", "2", "--jobs", "2", str(folder))
    assert out.strip().splitlines()[-1] == "imported 7, duplicates 0, quarantined 1"
    assert Message.objects.values("ticket").distinct().count() == 1
    stored = Message.objects.get(external_id="<m0@x>").attachments.get()
    assert stored.name == "رسید.pdf" and stored.file.read() == b"%PDF-1.4 receipt"
    out, _err = _run("--inbox", "Drop", "--batch", "3", "--jobs", "2", str(folder))
    assert out.strip().splitlines()[-1] == "imported 0, duplicates 8, quarantined 0"
