"""`import_mail` killed with -9 half-way: its parse workers die too, and a rerun finishes.

The workers are forked and used to keep the dead parent's PostgreSQL socket open,
so its session stayed "idle in transaction" holding the batch's row locks and
the next import hung on them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from helpdesk.models import Message, Ticket
from tests.channels_in.email.mails import simple
from tests.live.base import PYTHON, ROOT, server_database_url

# Also the chaos suite's first fault (docs/reliability.md): `pytest -m chaos` runs it.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.chaos]

MAILS = 3000


def _write_mails(folder: Path) -> None:
    folder.mkdir()
    body = "سلام، این یک پیام آزمایشی است. " * 40
    for n in range(MAILS):
        (folder / f"{n:05d}.eml").write_bytes(
            simple(message_id=f"<kill-{n}@example.com>", subject=f"Order {n}", text=body)
        )


def _import(folder: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["DATABASE_URL"] = server_database_url()
    # Without Redis: a publisher thread would make the import parse inline (no workers).
    env.pop("REDIS_URL", None)
    return subprocess.Popen(  # noqa: S603
        [str(PYTHON), "manage.py", "import_mail", "--inbox", "Archive", "--jobs", "2"]
        + ["--batch", "50", str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def _idle_in_transaction() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def test_it_leaves_no_worker_and_no_open_transaction_behind(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    _write_mails(folder)
    first = _import(folder)
    deadline = time.monotonic() + 60
    while Message.objects.count() < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _children_of(first.pid)
    assert workers, "the import should be running with parse workers"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]
    deadline = time.monotonic() + 10
    while _idle_in_transaction() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _idle_in_transaction() == 0
    stored = Message.objects.count()
    assert 0 < stored < MAILS

    second = _import(folder)
    try:
        out, _ = second.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        second.kill()
        pytest.fail("the second import hung (locks left by the killed one?)")
    assert second.returncode == 0
    last = out.decode().strip().splitlines()[-1]
    assert last == f"imported {MAILS - stored}, duplicates {stored}, quarantined 0"
    assert Message.objects.count() == MAILS
    # Each mail starts its own thread (no In-Reply-To, subjects differ): one ticket
    # each, none opened twice by the rerun.
    assert Ticket.objects.count() == MAILS
    assert Message.objects.values("external_id").distinct().count() == MAILS
