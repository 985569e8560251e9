"""Bytes to text for real-world mail: wrong labels, missing labels, 8-bit headers.

Decoding never raises: a charset that fails falls back to UTF-8, then to the
message's own body charset, then to windows-1252 with replacement characters,
so text is degraded at worst, never lost.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

import charset_normalizer

# Labels seen in the wild mapped to a Python codec that decodes a superset.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "iso-2022-jp": "iso2022_jp_2",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode-2-0-utf-7": "utf-7",
    "utf8": "utf-8",
    "x-user-defined": "windows-1252",
    "x-mac-arabic": "mac-arabic",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "shift-jis": "cp932",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "big5": "big5hkscs",
}
# Labels that are routinely wrong: a valid UTF-8 body under them is UTF-8.
_WEAK_LABELS = {"", "us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1", "windows-1252"}
_WEAK_LABELS |= {"cp1252", "unknown-8bit", "x-unknown", "unknown", "default", "none", "8bit"}


def codec_for(label: str | None) -> str | None:
    """A Python codec name for a MIME charset label, or None if unknown."""
    name = (label or "").strip().strip("\"'").lower()
    if "*" in name:  # RFC 2231 language suffix: utf-8*fa
        name = name.split("*", 1)[0]
    if not name or name in _WEAK_LABELS:
        return None
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


Hints = tuple[str, ...]


def decode_bytes(data: bytes, label: str | None = None, hint: Hints = ()) -> str:
    """Decode `data` labelled `label`; `hint` lists other charsets seen in the same mail."""
    declared = codec_for(label)
    weak = declared is None
    if weak or declared in {"ascii", "latin-1", "iso8859-1", "cp1252"}:
        if data.isascii():
            if b"\x1b$" in data or b"\x1b(" in data:  # unlabelled ISO-2022-JP escapes
                try:
                    return data.decode("iso2022_jp_2")
                except UnicodeDecodeError:
                    pass
            return data.decode("ascii")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if declared and declared.startswith("iso2022"):
        # 7-bit stateful codec: the bytes are "valid UTF-8" but mean nothing as such;
        # vendor extensions (NEC circled digits) degrade to replacement characters.
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            return data.decode(declared, errors="replace")
    candidates = [declared, "utf-8", *(codec_for(h) for h in hint), "cp1252"]
    for codec in candidates:
        if codec is None:
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode(declared or "cp1252", errors="replace")


def guess_charset(raw: bytes) -> str | None:
    """The most likely charset of a mail's unlabelled 8-bit bytes (None if all ASCII/UTF-8).

    Only lines with 8-bit bytes are judged, so long ASCII headers and base64 do
    not drown the signal; short samples are unreliable, hence a mail-wide guess.
    """
    if raw.isascii():
        return None
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = b"\n".join(line for line in raw.splitlines() if not line.isascii())[:65536]
    if sum(byte > 0x7F for byte in sample) < 4:  # too little to judge; cp1252 fallback
        return None
    best = charset_normalizer.from_bytes(sample).best()
    return best.encoding if best is not None else None


_SURROGATE = re.compile("[\udc80-\udcff]")


def repair_surrogates(text: str, hint: Hints = ()) -> str:
    """Headers with raw 8-bit bytes arrive as surrogate escapes: decode them for real."""
    if not _SURROGATE.search(text):
        return text
    raw = text.encode("utf-8", errors="surrogateescape")
    return decode_bytes(raw, None, hint)


# Payloads with spaces inside are invalid but common ("=?UTF-8?Q? Personal=C3=A4nderung?=").
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*?)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        padded = payload + "=" * (-len(payload) % 4)
        try:
            return base64.b64decode(padded)
        except (binascii.Error, ValueError):
            return payload.encode("ascii", errors="replace")
    text = payload.replace("_", " ")
    return re.sub(
        rb"=([0-9A-Fa-f]{2})",
        lambda m: bytes([int(m.group(1), 16)]),
        text.encode("latin-1", errors="replace"),
    )


def decode_words(value: str, hint: Hints = ()) -> str:
    """Decode RFC 2047 encoded-words, tolerating the usual breakage.

    Adjacent words in the same charset are joined as bytes before decoding, since
    senders split multi-byte characters across words; whitespace between words
    is dropped (RFC 2047 section 6.2).
    """
    value = repair_surrogates(value, hint)
    if "=?" not in value:
        return value
    value = _BETWEEN_WORDS.sub(r"\1\2", value)
    out: list[str] = []
    pending: list[tuple[str, bytes]] = []

    def flush() -> None:
        if pending:
            out.append(decode_bytes(b"".join(b for _, b in pending), pending[0][0], hint))
            pending.clear()

    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        if match.start() > pos:
            flush()
            out.append(value[pos : match.start()])
        charset = match.group(1)
        if pending and pending[0][0].lower() != charset.lower():
            flush()
        pending.append((charset, _word_bytes(match.group(2), match.group(3))))
        pos = match.end()
    flush()
    out.append(value[pos:])
    return "".join(out)
