from __future__ import annotations

import mailbox as mailbox_lib
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
