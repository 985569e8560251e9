"""The MIME tree -> the text agents read, the HTML, inline images and attachments."""

from __future__ import annotations

import binascii
import re
import urllib.parse
from collections.abc import Mapping
from email import utils
from email.message import Message as MimeMessage
from typing import Any

from channels_in.email.charsets import (
    Hints,
    decode_bytes,
    decode_words,
    repair_surrogates,
)
from channels_in.email.headers import normalize_message_id, raw_header
from channels_in.email.parsed import ParsedMail
from channels_in.email.text import html_to_text, normalize_text, strip_quoted, strip_quoted_html
from helpdesk.inbound import InboundAttachment
from helpdesk.spooled import SpooledFile

Spooled = Mapping[int, SpooledFile]  # id(part) -> its body decoded to a file (spooling.py)
_NONE: Spooled = {}


def part_bytes(part: MimeMessage, spooled: Spooled = _NONE) -> bytes:
    """The decoded payload of a leaf part (base64 / quoted-printable undone)."""
    spool = spooled.get(id(part))
    if spool is not None:
        return spool.read()
    encoded = part.get_payload()
    if (
        isinstance(encoded, str)
        and str(part.get("content-transfer-encoding", "")).lower() == "base64"
    ):
        # In one step from the parsed text: get_payload(decode=True) copies it to
        # bytes, splits those into lines and joins them again first (3x the part).
        try:
            data = binascii.a2b_base64(encoded)
        except (binascii.Error, ValueError):  # bad padding, 8-bit junk: the lenient way
            data = None
        # Clean base64 only (every character counted, padding right); anything else
        # takes the library's way below, which records the defect on the part.
        chars = len(encoded) - encoded.count("\n") - encoded.count("\r")
        tail = encoded[-8:].rstrip()  # the end only: no copy of a large part
        padding = len(tail) - len(tail.rstrip("="))
        if data is not None and chars % 4 == 0 and len(data) == chars // 4 * 3 - padding:
            return data
    payload: Any = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def part_text(part: MimeMessage, hint: Hints, spooled: Spooled = _NONE) -> str:
    charset = part.get_param("charset")
    data = part_bytes(part, spooled)
    return decode_bytes(data, charset if isinstance(charset, str) else None, hint)


def filename_of(part: MimeMessage, hint: Hints) -> str:
    """RFC 2231 / RFC 2047 file names, decoded; "" when the part has none."""
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:  # a broken parameter list  # noqa: BLE001
        found = re.search(r'name\*?="?([^";]+)', raw_header(part, "Content-Disposition"))
        name = found.group(1) if found else ""
    if isinstance(name, tuple):  # undecoded RFC 2231 triple
        name = utils.collapse_rfc2231_value(name)
    if "\ufffd" in str(name):
        name = _repair_filename(part, hint) or name
    name = decode_words(str(name), hint).replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[\x00-\x1f]", "", name).strip()


def _repair_filename(part: MimeMessage, hint: Hints) -> str:
    """Decode a file name the library could not: raw 8-bit bytes, or RFC 2231 under a
    wrong charset label (us-ascii''W%F6lbung)."""
    for header in ("Content-Disposition", "Content-Type"):
        value = raw_header(part, header)
        extended = re.search(r"name\*=\"?([^']*)'[^']*'([^\";]+)", value)
        if extended:
            data = urllib.parse.unquote_to_bytes(extended.group(2))
            return decode_bytes(data, extended.group(1), hint)
        plain = re.search(r'name="?([^";]+)', value)
        if plain:
            return repair_surrogates(plain.group(1), hint)
    return ""


class Body:
    """Collects text, HTML, inline images and attachments from the MIME tree
    (large attachments as the files `spooled` holds for their parts)."""

    def __init__(self, parsed: ParsedMail, hint: Hints, spooled: Spooled = _NONE) -> None:
        self.parsed = parsed
        self.hint = hint
        self.spooled = spooled
        self.texts: list[str] = []
        self.htmls: list[str] = []

    def walk(self, part: MimeMessage) -> None:
        ctype = part.get_content_type()
        if part.is_multipart() and ctype not in ("message/rfc822", "message/delivery-status"):
            payload = part.get_payload()
            if not isinstance(payload, list):
                return
            children = [c for c in payload if isinstance(c, MimeMessage)]
            if ctype == "multipart/alternative":
                self._alternative(children)
            else:
                for child in children:
                    self.walk(child)
            return
        if ctype == "message/rfc822":
            self._forwarded(part)
        elif ctype == "message/delivery-status":  # a bounce's machine-readable report
            blocks = part.get_payload()
            text = "\n".join(str(b) for b in blocks) if isinstance(blocks, list) else str(blocks)
            self.parsed.attachments.append(
                InboundAttachment("delivery-status.txt", "text/plain", text.encode("utf-8"))
            )
        elif self._is_body(part):
            target = self.htmls if ctype == "text/html" else self.texts
            target.append(part_text(part, self.hint, self.spooled))
        else:
            self._attach(part)

    def _alternative(self, children: list[MimeMessage]) -> None:
        # Prefer the richest alternative but keep the plain one as the text version.
        texts, htmls = len(self.texts), len(self.htmls)
        for child in children:
            self.walk(child)
        if len(self.htmls) > htmls + 1:
            del self.htmls[htmls:-1]
        if len(self.texts) > texts + 1:
            del self.texts[texts:-1]

    def _is_body(self, part: MimeMessage) -> bool:
        if part.get_content_type() not in ("text/plain", "text/html"):
            return False
        disposition = (part.get_content_disposition() or "").lower()
        return disposition != "attachment" and not filename_of(part, self.hint)

    def _attach(self, part: MimeMessage) -> None:
        ctype = part.get_content_type()
        name = filename_of(part, self.hint)
        content_id = normalize_message_id(raw_header(part, "Content-ID"))
        if not name:
            extension = {"text/plain": "txt", "text/html": "html", "text/calendar": "ics"}
            name = f"{ctype.split('/')[0]}.{extension.get(ctype, ctype.split('/')[-1][:8])}"
        spool = self.spooled.get(id(part))
        if spool is not None:  # a large file: it stays on disk until ingest copies it
            item = InboundAttachment(name, ctype, content_id=content_id, spool=spool)
        else:
            item = InboundAttachment(name, ctype, part_bytes(part), content_id)
            # The encoded text is not needed again: let it go before the next part is decoded.
            part.set_payload("")
        self.parsed.attachments.append(item)

    def _forwarded(self, part: MimeMessage) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, MimeMessage):
            inner = None
        # Serialized with the mail's own line ends, as close to the original bytes as possible.
        raw = inner.as_bytes(policy=inner.policy) if isinstance(inner, MimeMessage) else b""
        subject = decode_words(raw_header(inner, "Subject"), self.hint) if inner else ""
        sender = decode_words(raw_header(inner, "From"), self.hint) if inner else ""
        self.parsed.forwarded.append({"subject": subject, "from": sender})
        name = filename_of(part, self.hint) or f"{(subject or 'forwarded')[:80]}.eml"
        name = re.sub(r"[/\\\x00-\x1f]", "_", name)
        if not name.lower().endswith(".eml"):
            name += ".eml"
        self.parsed.attachments.append(
            InboundAttachment(name=name, content_type="message/rfc822", data=raw)
        )
        if inner is not None and not self.texts and not self.htmls:
            sub = Body(ParsedMail("", "", "", ""), self.hint)
            sub.walk(inner)
            header = f"---------- Forwarded message ----------\nFrom: {sender}\nSubject: {subject}"
            self.texts.append(
                header + "\n\n" + "\n\n".join(sub.texts or [html_to_text(h) for h in sub.htmls])
            )

    def finish(self) -> tuple[str, str]:
        return "\n\n".join(t for t in self.texts if t.strip()), "\n".join(self.htmls)


def set_body(parsed: ParsedMail, text: str, markup: str) -> None:
    """Shown text/HTML without the quoted thread; the full versions kept when they differ."""
    full_text = normalize_text(text) if text.strip() else html_to_text(markup)
    shown_html = strip_quoted_html(markup) if markup else ""
    if text.strip():
        shown_text = strip_quoted(full_text)
    else:
        shown_text = html_to_text(shown_html) if shown_html != markup else strip_quoted(full_text)
    parsed.text, parsed.html = shown_text, shown_html
    parsed.full_text = full_text if shown_text != full_text else ""
    parsed.full_html = markup if shown_html != markup else ""
