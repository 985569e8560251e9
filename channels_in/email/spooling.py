"""The standard library's MIME parser, with large base64 parts decoded to temporary files.

The feed parser gathers a leaf part's body as a list of lines (about twice the
text in small str objects) and joins them into one str; decoding it then makes
the bytes. For a mail with a 20 MB attachment that is several times the mail in
memory (issue 13.6). Here a base64 part whose text passes `SPOOL_ABOVE`
characters is decoded as its lines arrive, 64 KB of text at a time, straight
into a `SpooledFile`; the parser sees an empty body, and
`SpoolingParser.spooled` maps the part to its file.

Behaviour stays that of the plain parser: a part below the threshold is handed
to it line for line; a spooled part is only ever clean base64 (alphabet
characters, padding at the very end, whole quads), for which decoding the whole
text in one step (what `body.part_bytes` does) gives the same bytes. At the
first sign of anything else (a stray character, padding in the middle, a short
last quad) or when the temporary file cannot be written (a full disk), the text
read so far is rebuilt (the bytes written encoded again: clean quads encode
back to the same characters; the rest as it came) and the part goes on through
the plain parser, whose lenient decoding then records the defects as before.
The rebuilt text differs from the original only in where its lines break,
which no decoder counts.

Parts inside a forwarded message (`message/*`) are never spooled: the forward
is kept as an .eml serialized from the parsed tree, which needs their text.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from email import feedparser
from email.feedparser import BytesFeedParser
from email.message import Message as MimeMessage
from typing import Any

from helpdesk.spooled import SpooledFile, SpoolWriter

SPOOL_ABOVE = 256 * 1024  # characters of base64 text: a decoded file of about 190 KB
_DECODE_EVERY = 64 * 1024  # characters decoded and written at a time
_WRAP = 76

# Not in the library's type stubs: the line buffer and its "no whole line yet" marker.
BufferedSubFile: Any = feedparser.BufferedSubFile  # type: ignore[attr-defined]
NeedMoreData: object = feedparser.NeedMoreData  # type: ignore[attr-defined]


class SpoolingParser(BytesFeedParser):
    """`BytesFeedParser` that spools large base64 leaf parts (see the module docstring).

    The caller owns the files in `spooled` (keyed by `id(part)`) and deletes them.
    """

    # The feed parser's state (set in its __init__), read to know where it is.
    _cur: MimeMessage | None
    _headersonly: bool
    _msgstack: list[MimeMessage]

    def __init__(self, *, policy: Any) -> None:
        super().__init__(policy=policy)
        self.spooled: dict[int, SpooledFile] = {}
        self._input = _SpoolingInput(self)

    def spoolable(self) -> bool:
        """Whether the parser is about to read the body of a base64 leaf part that may
        be spooled. (Read when a loop over the input starts: a header loop starts on a
        new part with no headers yet, so no Content-Transfer-Encoding.)"""
        part = self._cur
        if part is None or self._headersonly:
            return False
        if str(part.get("content-transfer-encoding", "")).lower() != "base64":
            return False
        if part.get_content_maintype() in ("multipart", "message"):
            return False
        if part.get_content_type() == "text/rfc822-headers":  # read by the bounce parser
            return False
        return all(m.get_content_maintype() != "message" for m in self._msgstack[:-1])

    def remember(self, spool: SpooledFile) -> None:
        self.spooled[id(self._cur)] = spool  # the part whose body was just read


class _SpoolingInput(BufferedSubFile):  # type: ignore[misc]
    """The parser's line buffer. Each `for line in input` loop of the parser calls
    `__iter__` once: at the body of a spoolable part it answers with a reader that
    spools instead of handing the lines over."""

    def __init__(self, parser: SpoolingParser) -> None:
        super().__init__()
        self._parser = parser

    def __iter__(self) -> Any:
        if self._parser.spoolable():
            return _spooled_body(self, self._parser)
        return self


def _spooled_body(source: Any, parser: SpoolingParser) -> Iterator[Any]:
    """The lines the parser gets for a base64 body: all of them when small or not clean,
    none when the body went to a file (NeedMoreData passed through as it comes)."""
    pending: list[str] = []  # lines read and not yet decoded, as they came
    size = 0
    while size <= SPOOL_ABOVE:
        line = source.readline()
        if line is NeedMoreData:
            yield NeedMoreData
            continue
        if line == "":  # the part's end (a boundary, or the end of the mail): small
            yield from pending
            return
        pending.append(line)
        size += len(line)
    decoder = _Decoder.open()
    if decoder is None:  # no temporary file (a full or read-only disk): the plain way
        yield from pending
        yield from _lines(source)
        return
    readline = source.readline  # the loop runs once a line: kept short
    while size >= 0:
        if size >= _DECODE_EVERY:
            size = decoder.flush(pending)  # -1: not clean, or the write failed
            continue
        line = readline()
        if line is NeedMoreData:
            yield NeedMoreData
        elif line == "":
            spool = decoder.finish(pending)
            if spool is not None:
                parser.remember(spool)
                return
            break
        else:
            pending.append(line)
            size += len(line)
    yield from decoder.text_so_far(pending)
    yield from _lines(source)


def _lines(source: Any) -> Iterator[Any]:
    """The part's remaining lines (and NeedMoreData), up to its end."""
    while True:
        line = source.readline()
        if line == "":
            return
        yield line


_CLEAN = re.compile(r"[A-Za-z0-9+/\r\n]*")
_CLEAN_END = re.compile(r"[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*")  # padding, then only line ends


class _Decoder:
    """Clean base64 text in (whole lines, line ends included), decoded bytes out to a
    temporary file. Text it cannot take stays in the caller's `pending` as it came."""

    def __init__(self, writer: SpoolWriter) -> None:
        self._writer = writer

    @classmethod
    def open(cls) -> _Decoder | None:
        try:
            return cls(SpoolWriter())
        except OSError:
            return None

    def flush(self, pending: list[str]) -> int:
        """Decode and write the whole quads of `pending`, leaving the rest in it; returns
        the size left, or -1 (pending untouched) when the text is not clean base64 or the
        write failed. Text that ends in padding waits: only line ends may follow it."""
        text = "".join(pending)
        if not _CLEAN.fullmatch(text):
            if _CLEAN_END.fullmatch(text):
                return 0  # padding at the end so far: decided by what follows
            return -1
        cut = _whole_quads(text)
        if not self._write(binascii.a2b_base64(text[:cut])):
            return -1
        pending[:] = [text[cut:]] if cut < len(text) else []
        return len(text) - cut

    def finish(self, pending: list[str]) -> SpooledFile | None:
        """The file, or None when the text does not end as clean base64 (`pending`
        untouched) or the write failed."""
        text = "".join(pending)
        if not _CLEAN_END.fullmatch(text):
            return None
        chars = len(text) - text.count("\n") - text.count("\r")
        padding = text.count("=")
        if chars % 4:
            return None
        try:
            tail = binascii.a2b_base64(text)
        except (binascii.Error, ValueError):
            return None
        if len(tail) != chars // 4 * 3 - padding or not self._write(tail):
            return None
        return self._writer.finish()

    def _write(self, data: bytes) -> bool:
        try:
            self._writer.write(data)
        except OSError:  # a full disk: the caller falls back to the plain way
            return False
        return True

    def text_so_far(self, pending: list[str]) -> list[str]:
        """Every line taken, as text again: the bytes written encoded back (clean quads
        give the same characters), then `pending` as it came. The file is deleted."""
        try:
            decoded = self._writer.written()
        finally:
            self._writer.abort()
        encoded = binascii.b2a_base64(decoded, newline=False).decode("ascii")
        del decoded
        lines = [encoded[i : i + _WRAP] + "\n" for i in range(0, len(encoded), _WRAP)]
        return lines + pending


def _whole_quads(text: str) -> int:
    """Where `text` (base64 characters and line ends) holds a multiple of four
    characters, line ends not counted: the end, or up to three characters before it."""
    extra = (len(text) - text.count("\n") - text.count("\r")) % 4
    cut = len(text)
    while extra:
        cut -= 1
        if text[cut] not in "\r\n":
            extra -= 1
    return cut
