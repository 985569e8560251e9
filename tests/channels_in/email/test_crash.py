from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import connection

from channels_in.email.models import MailboxState
from helpdesk.models import Message
from tests.channels_in.email.conftest import wait_for
from tests.channels_in.email.crashing_listener import CRASH_EXIT
from tests.channels_in.email.mails import simple
from tests.live.base import ROOT, server_database_url

pytestmark = [pytest.mark.django_db(transaction=True)]


def _listener_process(stage: str) -> subprocess.CompletedProcess[bytes]:
    """The listener in its own process, killed by tests/.../crashing_listener.py at `stage`."""
    env = dict(os.environ)  # DJANGO_SETTINGS_MODULE too: the test process's own
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = server_database_url()
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.channels_in.email.crashing_listener", stage],
        cwd=ROOT,
        env=env,
        timeout=60,
        capture_output=True,
        check=False,
    )


@pytest.mark.parametrize("stage", ["fetched", "committed"])
def test_it_stores_exactly_one_message_when_the_listener_dies_mid_import(
    stage: str, mailbox: Any, dovecot: Any, run_listener: Any
) -> None:
    client = dovecot.client()
    client.append(mailbox.imap_folder, simple(message_id="<crash-1@x>"))
    result = _listener_process(stage)
    assert result.returncode == CRASH_EXIT, result.stderr.decode()[-2000:]
    stored = Message.objects.filter(external_id="<crash-1@x>").count()
    assert stored == (1 if stage == "committed" else 0)
    # Nothing was marked on the server and no UID remembered: the mail is still new.
    client.select_folder(mailbox.imap_folder)
    assert b"\\Seen" not in client.get_flags([1])[1]
    assert not MailboxState.objects.filter(config=mailbox, last_uid__gt=0).exists()

    run_listener()  # the restarted listener
    wait_for(lambda: MailboxState.objects.filter(config=mailbox, last_uid=1).exists())
    assert Message.objects.filter(external_id="<crash-1@x>").count() == 1
    assert b"\\Seen" in client.get_flags([1])[1]
    client.logout()
