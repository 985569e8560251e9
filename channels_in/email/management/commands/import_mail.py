"""`manage.py import_mail --inbox NAME PATH...`: .eml files, directories, mbox, Maildir."""

from __future__ import annotations

import ctypes
import ctypes.util
import mailbox
import multiprocessing
import os
import signal
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone

from channels_in.email.channel import KIND
from channels_in.email.receive import (
    Outcome,
    Prepared,
    RawMail,
    discard_files,
    prepare,
    store_prepared,
)
from helpdesk.attachment_files import fits_size, save_attachment
from helpdesk.models import Inbox, Team

Source = tuple[str, Callable[[], bytes]]

# Mails per transaction: large enough that per-batch queries vanish per mail, small
# enough that a retried batch or a lock held for it stays short.
BATCH = 200


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def _maildir(path: Path) -> Iterator[Source]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.iterkeys()):
        yield f"{path}:{key}", lambda key=key: box.get_bytes(key)  # type: ignore[misc]


def _mbox(path: Path) -> Iterator[Source]:
    box = mailbox.mbox(str(path), factory=None, create=False)
    for key in box.iterkeys():
        yield f"{path}#{key}", lambda key=key: box.get_bytes(key)  # type: ignore[misc]


def _file(path: Path) -> Iterator[Source]:
    with path.open("rb") as fh:
        head = fh.read(5)
    if head == b"From ":
        yield from _mbox(path)
    else:
        yield str(path), path.read_bytes


def sources(path: Path) -> Iterator[Source]:
    """Every mail under `path`, whatever the format, in a stable order."""
    if path.is_dir():
        if _is_maildir(path):
            yield from _maildir(path)
            return
        for child in sorted(path.iterdir()):
            if not child.name.startswith("."):
                yield from sources(child)
    elif path.is_file() and path.stat().st_size > 0:
        yield from _file(path)


def email_inbox(name: str, team_name: str) -> Inbox:
    """The email inbox called `name`, created without server settings if missing."""
    inbox = Inbox.objects.filter(kind=KIND, name=name).first()
    if inbox is None:
        team, _created = Team.objects.get_or_create(name=team_name)
        inbox = Inbox.objects.create(kind=KIND, name=name, team=team)
    return inbox


class Command(BaseCommand):
    help = "Import mail (.eml files, directories of them, mbox files, Maildir) into an inbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inbox", required=True, help="name of the email inbox")
        parser.add_argument(
            "--team", default="Default", help="team of the inbox when it is created (Default)"
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=BATCH,
            help=f"mails stored per transaction ({BATCH}); 1 stores each on its own",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=_cpus(),
            help="processes parsing mail while this one stores it (the number of CPUs)",
        )
        parser.add_argument("paths", nargs="+", help=".eml, mbox, Maildir or a directory")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["paths"]]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"not found: {', '.join(missing)}")
        inbox = email_inbox(options["inbox"], options["team"])
        found = [s for p in paths for s in sources(p)]
        size, jobs = options["batch"], options["jobs"]
        if size < 1 or jobs < 1:
            raise CommandError("--batch and --jobs must be at least 1")
        batches = [found[start : start + size] for start in range(0, len(found), size)]
        counts: Counter[Outcome] = Counter()
        done = 0
        for mails, prepared in _prepared(batches, inbox.pk, jobs):
            counts.update(p.outcome for p in store_prepared(inbox, mails, prepared))
            done += len(mails)
            _progress(done, len(found))
        self.stdout.write(
            f"imported {counts[Outcome.IMPORTED]}, duplicates {counts[Outcome.DUPLICATE]}, "
            f"quarantined {counts[Outcome.QUARANTINED]}"
        )


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _worker_start(parent: int) -> None:
    """In each forked parse worker: die with the parent, and let go of its connections.

    A worker inherits the parent's database sockets. Were the parent killed (-9),
    workers holding copies of its socket would keep its session open on the
    server, "idle in transaction" with the batch's row locks, and the next import
    would hang on them. So each worker closes its copies of those sockets
    (pointing the descriptors at /dev/null: nothing is ever written to the real
    connection, not even a goodbye) and asks the kernel to kill it when the
    parent dies.
    """
    _die_with_parent(parent)
    devnull = os.open(os.devnull, os.O_RDWR)
    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        fileno = getattr(getattr(raw, "pgconn", None), "socket", None)
        if isinstance(fileno, int) and fileno >= 0:
            os.dup2(devnull, fileno)
        # Django must never use (or close) the inherited connection object.
        conn.connection = None
    os.close(devnull)


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _load(batch: list[Source]) -> list[RawMail]:
    return [RawMail(load(), label[-300:]) for label, load in batch]


def _prepare_all(
    raws: list[bytes], inbox_id: int, now: datetime, *, write_files: bool = False
) -> list[Prepared]:
    prepared: list[Prepared] = []
    try:
        for raw in raws:
            prepared.append(prepare(raw, inbox_id, now, use_mail_date=True))
        if write_files:
            # Files are named by their content: a worker can write them before the
            # batch is stored, and storing finds them there (one stat instead of a write).
            for item in prepared:
                for attachment in item.msg.attachments if item.msg else ():
                    if fits_size(attachment.size):
                        save_attachment(attachment)
    except BaseException:
        discard_files(prepared)  # the batch will not be stored: its temporary files go
        raise
    return prepared


def _prepared(
    batches: list[list[Source]], inbox_id: int, jobs: int
) -> Iterator[tuple[list[RawMail], list[Prepared]]]:
    """Each batch's mails with their parse, in order; parsed ahead in other processes.

    Parsing costs as much CPU as storing: with `jobs` > 1 and more than one batch,
    forked workers parse the next batches while this process stores the current
    one (the workers touch no database; they inherit Django's setup). A process
    already running other threads parses inline.
    """
    now = timezone.now()
    # Forking copies only the calling thread: a lock another thread holds at that
    # moment (a publisher's, logging's) would stay locked in the child forever.
    if jobs == 1 or len(batches) < 2 or threading.active_count() > 1:
        for batch in batches:
            mails = _load(batch)
            yield mails, _prepare_all([m.raw for m in mails], inbox_id, now)
        return
    context = multiprocessing.get_context("fork")
    parent = os.getpid()
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_worker_start, initargs=(parent,)
    ) as pool:
        waiting: deque[tuple[list[RawMail], Future[list[Prepared]]]] = deque()
        try:
            for batch in batches:
                mails = _load(batch)
                raws = [m.raw for m in mails]
                job = pool.submit(_prepare_all, raws, inbox_id, now, write_files=True)
                waiting.append((mails, job))
                if len(waiting) >= 2 * jobs:  # bounded read-ahead: memory stays a few batches
                    mails, job = waiting.popleft()
                    yield mails, job.result()
            while waiting:
                mails, job = waiting.popleft()
                yield mails, job.result()
        finally:  # the import stopped (an error, Ctrl-C): batches parsed ahead are not stored
            _discard_parsed_ahead(waiting)


def _discard_parsed_ahead(waiting: deque[tuple[list[RawMail], Future[list[Prepared]]]]) -> None:
    """Delete the temporary files (spooled attachments) of batches that will not be stored."""
    for _mails, job in waiting:
        if job.cancel():
            continue
        try:
            discard_files(job.result())
        except Exception:  # noqa: BLE001, S112 - that batch failed in its worker: nothing kept
            continue


def _progress(done: int, total: int, width: int = 30) -> None:
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
    sys.stderr.flush()
