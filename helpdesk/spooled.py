"""Bytes kept in a temporary file instead of memory: a large inbound attachment.

A channel that receives a large file (a 20 MB scan in a mail) writes it here as
it decodes it, and hands the core a `SpooledFile` inside its
`InboundAttachment`: the core copies it into attachment storage in slices, so
no process holds a large file in memory (issue 13.6). The channel that spooled
a file deletes it once the message is stored or refused (`discard`).

Files go to the system's temporary directory (`TMPDIR`), named
`helpdesk-spool-*`; a process killed between parsing and storing leaves its
files there for the system's temporary-file cleanup.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

PREFIX = "helpdesk-spool-"


@dataclass(frozen=True, slots=True)
class SpooledFile:
    """A complete temporary file: its path, size and SHA-256 (hex), known once written."""

    path: str
    size: int
    sha256: str

    def open(self) -> BinaryIO:
        return open(self.path, "rb")  # noqa: SIM115 - the caller closes it

    def read(self) -> bytes:
        with self.open() as fh:
            return fh.read()

    def discard(self) -> None:
        """Delete the file (already gone is fine)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


class SpoolWriter:
    """Writes bytes to a new temporary file, counting and hashing them as they come.

    Raises OSError from the constructor or `write` when the file cannot be
    created or written (a full disk); `abort` then deletes what was written.
    """

    def __init__(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix=PREFIX)
        self._file: BinaryIO = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.size = 0  # bytes written so far: a failed write leaves the file this long

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._file.flush()  # a full disk shows here, not later when nobody can undo it
        self._hash.update(data)
        self.size += len(data)

    def finish(self) -> SpooledFile:
        self._file.close()
        return SpooledFile(self.path, self.size, self._hash.hexdigest())

    def written(self) -> bytes:
        """What was written successfully so far (after a failed write, to fall back)."""
        with open(self.path, "rb") as fh:
            return fh.read(self.size)

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        SpooledFile(self.path, 0, "").discard()
