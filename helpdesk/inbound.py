"""The one type every channel adapter hands to the core.

Text is made storable as the type is built (`clean_text`): PostgreSQL refuses
NUL in text and JSON, and no UTF-8 encoder accepts a lone UTF-16 surrogate (a
`"\\ud800"` JSON escape, a mail header decoded with surrogateescape). Cleaning
here, where every adapter hands over, covers every channel and every later use
of the message (storing it, applying an edit), instead of a 500 in the driver.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from helpdesk.spooled import SpooledFile


def clean_text(value: str) -> str:
    """`value` without NUL characters and with lone surrogates replaced by U+FFFD
    (a surrogate pair that arrived as two code points becomes its character).
    A clean value is returned as is (the same object)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if value.isascii():  # the common case, and a fast one
        return value
    try:
        value.encode("utf-8")  # in C, faster than a regular expression over the text
    except UnicodeEncodeError:
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value


def _dirty(value: Any) -> bool:
    """Whether a JSON-like value holds a string `clean_text` would change."""
    stack = [value]
    while stack:  # a loop, not recursion: meta is checked for every message
        item = stack.pop()
        if isinstance(item, str):
            if clean_text(item) is not item:
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def _clean_json(value: Any) -> Any:
    """`clean_text` over the strings of a JSON-like value (rare: after `_dirty`)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {_clean_json(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def _clean_fields(obj: Any, names: tuple[str, ...]) -> None:
    values = [getattr(obj, name) for name in names]
    joined = "".join(v for v in values if isinstance(v, str))
    if clean_text(joined) is joined:
        return  # one check for all the fields: a message is built for every arrival
    for name, value in zip(names, values, strict=True):
        if isinstance(value, str):
            object.__setattr__(obj, name, clean_text(value))  # frozen: set while built


@dataclass(frozen=True, slots=True)
class Sender:
    kind: str  # an identity kind some installed channel declares
    address: str
    display_name: str = ""

    def __post_init__(self) -> None:
        _clean_fields(self, ("address", "display_name"))


@dataclass(frozen=True, slots=True)
class InboundAttachment:
    """A received file: its bytes in `data`, or, when large, in a temporary file
    (`spool`, and `data` empty) that the adapter deletes once the message is stored."""

    name: str
    content_type: str
    data: bytes = b""
    content_id: str = ""
    spool: SpooledFile | None = None

    def __post_init__(self) -> None:
        _clean_fields(self, ("name", "content_type", "content_id"))

    @property
    def size(self) -> int:
        return self.spool.size if self.spool is not None else len(self.data)

    @property
    def sha256(self) -> str:
        """The SHA-256 of the bytes, hex (of a spooled file: computed as it was written)."""
        if self.spool is not None:
            return self.spool.sha256
        return hashlib.sha256(self.data).hexdigest()

    def read(self) -> bytes:
        """All the bytes in memory: for small files, or a caller that needs them whole."""
        return self.spool.read() if self.spool is not None else self.data


@dataclass(frozen=True, slots=True)
class ThreadHints:
    """What a channel knows about which conversation a message belongs to."""

    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    ticket_number: int | None = None  # e.g. "[#1234]" in an email subject, a deep link
    new_conversation: bool = False  # an explicit new ticket (e.g. an agent's follow-up)

    def __post_init__(self) -> None:
        _clean_fields(self, ("in_reply_to",))
        if self.references and _dirty(self.references):
            object.__setattr__(self, "references", tuple(map(clean_text, self.references)))


@dataclass(frozen=True, slots=True)
class InboundMessage:
    inbox_id: int
    external_id: str
    sender: Sender
    received_at: datetime
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    thread: ThreadHints = field(default_factory=ThreadHints)
    language: str = ""
    # Auto-generated mail (bounces, out-of-office) is stored but never answered.
    auto_generated: bool = False
    meta: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        _clean_fields(self, ("external_id", "subject", "text", "html", "language"))
        if self.meta and _dirty(self.meta):
            object.__setattr__(self, "meta", _clean_json(self.meta))
