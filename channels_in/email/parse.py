"""Raw RFC 5322 bytes -> ParsedMail, with the standard library's modern email API.

Parsing never loses a message: bad charsets degrade to replacement characters,
broken MIME keeps what the parser recovered, and anything that still fails is
raised as UnparseableMail so the caller quarantines the raw bytes.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from email import policy, utils
from email.feedparser import BytesFeedParser
from email.headerregistry import BaseHeader
from email.message import EmailMessage
from email.message import Message as MimeMessage
from typing import Any, cast

from channels_in.email.body import Body, Spooled, set_body
from channels_in.email.charsets import (
    Hints,
    codec_for,
    decode_words,
    guess_charset,
    repair_surrogates,
)
from channels_in.email.headers import (
    FOLDED_LINE,
    bounce_of,
    derived_message_id,
    is_auto_generated,
    message_ids,
    normalize_message_id,
    raw_header,
    ticket_number_from,
)
from channels_in.email.parsed import Address, ParsedMail
from channels_in.email.spooling import SpoolingParser
from channels_in.email.text import normalize_text


class UnparseableMail(Exception):
    """The mail cannot become a message; the reason is shown in the quarantine."""


_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


def _repair_headers(raw: bytes) -> bytes:
    """Drop junk lines before the first header (a pasted "---- Original message ----")
    and fold stray lines inside the header block into the header above them.

    Only the head of the mail is split into lines (a slice of it: `split` with a
    limit would still copy the rest of the mail as its last item), and a mail that
    needs no repair is returned as it is: a large mail is not copied (issue 13.6).
    """
    for size in (1 << 16, 1 << 20):
        if size >= len(raw):
            break
        repaired = _repair_lines(raw[:size].split(b"\n"), raw, size)
        if repaired is not None:
            return repaired
    repaired = _repair_lines(raw.split(b"\n"), raw, None)
    return raw if repaired is None else repaired


def _repair_lines(lines: list[bytes], raw: bytes, size: int | None) -> bytes | None:
    """The repaired mail (`raw` itself when nothing needed repair), or None when the
    header block does not end within `lines`: the lines of `raw[:size]`, whose last
    item is then a line cut short."""
    last = len(lines) if size is None else len(lines) - 1
    start = next(
        (
            i
            for i, line in enumerate(lines[: min(20, last)])
            if _HEADER_LINE.match(line) or line.startswith(b"From ")
        ),
        0,
    )
    changed = start > 0
    for i in range(start, last):
        line = lines[i]
        if not line.strip(b"\r"):
            break
        if i > start and not _HEADER_LINE.match(line) and line[:1] not in (b" ", b"\t"):
            lines[i] = b" " + line
            changed = True
    else:
        if size is not None:
            return None  # the header block goes on past the head split so far
    if not changed:
        return raw
    return b"\n".join(lines[start:]) + (raw[size:] if size is not None else b"")


@functools.lru_cache(maxsize=4096)
def _parsed_header(name: str, value: str) -> BaseHeader:
    return policy.default.header_factory(name, value)  # type: ignore[no-any-return]


class _MemoPolicy(policy.EmailPolicy):
    """policy.default, parsing each distinct header value once: the modern API
    re-parses Content-Type on every get_content_type()/get_param() call, which
    was half of the parse time. Header objects are immutable, so sharing is safe."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name"):
            return value
        value = "".join(_LINESEP.split(value))
        if len(value) > 2000:  # keep the cache small: long values are rare and not re-read
            return policy.default.header_factory(name, value)
        return _parsed_header(name, value)


_LINESEP = re.compile(r"\n|\r")
_POLICY = _MemoPolicy()


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one raw mail; raises UnparseableMail when it cannot become a message.

    Large attachments come back spooled to temporary files (`spooling.py`): the
    caller deletes them with `ParsedMail.discard_files` once the mail is stored.
    """
    if not raw or raw.isspace():  # not raw.strip(): that copies a large mail
        raise UnparseableMail("the mail is empty")
    parser = SpoolingParser(policy=_POLICY)
    try:
        parsed = _parse_spooling(parser, raw)
    except BaseException:
        for spool in parser.spooled.values():
            spool.discard()
        raise
    kept = {id(a.spool) for a in parsed.attachments}
    for spool in parser.spooled.values():  # a spooled text body, read into the text already
        if id(spool) not in kept:
            spool.discard()
    return parsed


def _parse_spooling(parser: SpoolingParser, raw: bytes) -> ParsedMail:
    try:
        msg = cast(EmailMessage, _parse_bytes(parser, _repair_headers(raw)))
    except Exception as exc:  # the parser is lenient; this is a last resort  # noqa: BLE001
        raise UnparseableMail(f"MIME parser failed: {type(exc).__name__}: {exc}") from exc
    try:
        return _parse(msg, raw, parser.spooled)
    except UnparseableMail:
        raise
    except Exception as exc:  # noqa: BLE001
        raise UnparseableMail(f"parser error: {type(exc).__name__}: {exc}") from exc


_FEED = 1 << 16


def _parse_bytes(parser: BytesFeedParser, raw: bytes) -> MimeMessage:
    """`BytesParser.parsebytes`, fed in slices: parsebytes decodes the whole mail to one
    str and wraps it in a StringIO (four bytes a character), 5x a large mail's size."""
    view = memoryview(raw)
    for start in range(0, len(raw), _FEED):
        parser.feed(bytes(view[start : start + _FEED]))
    return parser.close()


def _parse(msg: EmailMessage, raw: bytes, spooled: Spooled) -> ParsedMail:
    hint = _hints(msg, raw)
    from_list = addresses(msg, "From", hint, lenient=True)
    for fallback in ("Sender", "Reply-To", "Return-Path"):
        if from_list:
            break
        from_list = addresses(msg, fallback, hint, lenient=True)
    if not from_list:
        raise UnparseableMail("no sender address (From, Sender, Reply-To, Return-Path)")
    subject = normalize_text(decode_words(raw_header(msg, "Subject"), hint)).replace("\n", " ")
    to, cc = addresses(msg, "To", hint), addresses(msg, "Cc", hint)
    reply_to = addresses(msg, "Reply-To", hint)
    parsed = ParsedMail(
        message_id=normalize_message_id(raw_header(msg, "Message-ID")) or derived_message_id(raw),
        from_name=from_list[0][0],
        from_address=from_list[0][1],
        subject=subject,
        to=to,
        cc=cc,
        reply_to=reply_to[0][1] if reply_to else "",
        date=_date(raw_header(msg, "Date")),
    )
    parsed.bounce = bounce_of(msg)
    _threading(parsed, msg)
    parsed.auto_generated = is_auto_generated(msg, parsed.from_address)
    body = Body(parsed, hint, spooled)
    body.walk(msg)
    set_body(parsed, *body.finish())
    parsed.defects = sorted({type(d).__name__ for p in msg.walk() for d in p.defects})
    return parsed


def addresses(
    msg: MimeMessage, name: str, hint: Hints = (), *, lenient: bool = False
) -> list[Address]:
    """Decoded (name, address) pairs of an address header; invalid entries are skipped."""
    wanted = name.lower()
    values = [repair_surrogates(str(v), hint) for k, v in msg.raw_items() if k.lower() == wanted]
    if not values:
        return []
    unfolded = [FOLDED_LINE.sub(" ", v) for v in values]
    result: list[Address] = []
    for display, address in utils.getaddresses(unfolded):
        address = decode_words(address, hint).strip().strip("<>")
        if "@" not in address or " " in address:
            continue
        result.append((normalize_text(decode_words(display, hint)), address))
    if result:
        return result
    if not lenient:  # recipients: real address tokens only ("Name (a@b.c)")
        return [("", a) for a in _LOOSE_ADDRESS.findall(decode_words(" ".join(unfolded), hint))]
    return _lenient_addresses(" ".join(unfolded), hint)


_LOOSE_ADDRESS = re.compile(r"[^\s<>\"',;:()]+@[^\s<>\"',;:()]+\.[^\s<>\"',;:()]+")


def _lenient_addresses(value: str, hint: Hints) -> list[Address]:
    """Last resort for broken address headers: any address-looking token, or a bare name."""
    value = decode_words(value, hint)
    found = _LOOSE_ADDRESS.findall(value)
    if found:
        name = normalize_text(value.replace(found[0], "").strip(" <>\"'"))
        return [(name, found[0].strip("."))]
    bare = re.match(r"^\s*([A-Za-z0-9._-]+)\s*(?:\((.*)\))?\s*$", value)
    if bare:  # "MAILER-DAEMON (Mail Delivery System)": a local part without a domain
        return [((bare.group(2) or "").strip(), f"{bare.group(1)}@unknown.invalid")]
    slug = re.sub(r"[^a-z0-9]+", ".", value.lower()).strip(".")[:60]
    domain = re.search(r"@([a-z0-9-]+(\.[a-z0-9-]+)+)", value.lower())
    if slug:  # unusable but present: keep the mail, under an address that says so
        return [(value.strip()[:200], f"{slug}@{domain.group(1) if domain else 'unknown.invalid'}")]
    return []


def _date(value: str) -> datetime | None:
    try:
        parsed = utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed


def _threading(parsed: ParsedMail, msg: MimeMessage) -> None:
    in_reply_to = message_ids(raw_header(msg, "In-Reply-To"))
    parsed.in_reply_to = in_reply_to[0] if in_reply_to else None
    parsed.references = message_ids(raw_header(msg, "References"))
    recipients = [a for _, a in parsed.to + parsed.cc]
    recipients += [a for _, a in addresses(msg, "Delivered-To")]
    parsed.ticket_number = ticket_number_from(parsed.subject, recipients)
    if parsed.bounce is not None and parsed.in_reply_to is None:
        # A bounce threads into the ticket of the mail it reports on.
        parsed.in_reply_to = parsed.bounce.original_message_id


_DECLARED = re.compile(rb"=\?([A-Za-z0-9_.:-]+)\?[bBqQ]\?|charset=\"?([A-Za-z0-9_.:-]+)", re.I)


def _hints(msg: MimeMessage, raw: bytes) -> Hints:
    """Charsets to try on unlabelled 8-bit text: the mail's own trustworthy labels
    (text parts, encoded-words), then a statistical guess over its 8-bit bytes."""
    labels: list[str] = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            charset = part.get_param("charset")
            if isinstance(charset, str):
                labels.append(charset)
    labels += [(a or b).decode("ascii") for a, b in _DECLARED.findall(raw[:200_000])]
    strong = [label for label in labels if codec_for(label) not in (None, "ascii", "utf-8")]
    guess = guess_charset(raw)
    return tuple(dict.fromkeys([*strong[:3], *([guess] if guess else [])]))
