"""`manage.py import_mail --inbox NAME PATH...`: .eml files, directories, mbox, Maildir."""

from __future__ import annotations

import mailbox
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from channels_in.email.receive import Outcome, RawMail, process_many
from helpdesk.models import ChannelKind, Inbox, Team

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
    inbox = Inbox.objects.filter(kind=ChannelKind.EMAIL, name=name).first()
    if inbox is None:
        team, _created = Team.objects.get_or_create(name=team_name)
        inbox = Inbox.objects.create(kind=ChannelKind.EMAIL, name=name, team=team)
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
        parser.add_argument("paths", nargs="+", help=".eml, mbox, Maildir or a directory")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["paths"]]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"not found: {', '.join(missing)}")
        inbox = email_inbox(options["inbox"], options["team"])
        found = [s for p in paths for s in sources(p)]
        counts: Counter[Outcome] = Counter()
        size = options["batch"]
        if size < 1:
            raise CommandError("--batch must be at least 1")
        for start in range(0, len(found), size):
            batch = [RawMail(load(), label[-300:]) for label, load in found[start : start + size]]
            counts.update(p.outcome for p in process_many(inbox, batch, use_mail_date=True))
            _progress(start + len(batch), len(found))
        self.stdout.write(
            f"imported {counts[Outcome.IMPORTED]}, duplicates {counts[Outcome.DUPLICATE]}, "
            f"quarantined {counts[Outcome.QUARANTINED]}"
        )


def _progress(done: int, total: int, width: int = 30) -> None:
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
    sys.stderr.flush()
