"""Text helpers for mail bodies: HTML to text, and stripping quoted history."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"}
_BLOCK |= {"blockquote", "pre", "hr", "ul", "ol", "dd", "dt", "section", "article"}
_SKIP = {"style", "script", "head", "title", "template"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(markup: str) -> str:
    """A readable plain-text version of an HTML body (never raises)."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # broken markup: fall back to dropping tags  # noqa: BLE001
        return normalize_text(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    return normalize_text("".join(parser.parts))


def normalize_text(text: str) -> str:
    """Unify line ends, trim line ends and runs of blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line.strip() if not line.strip() else line)
    return "\n".join(out).strip()


# Lines that start the quoted previous thread in the clients people use.
_QUOTE_HEADERS = [
    re.compile(r"^\s*On .{3,200}wrote:\s*$", re.S),
    re.compile(r"^\s*Am .{3,200}schrieb .{0,200}:\s*$", re.S),
    re.compile(r"^\s*Le .{3,200}a écrit\s*:\s*$", re.S),
    re.compile(r"^.{3,200}(نوشت|نوشته است|کتب)\s*:\s*$", re.S),
    re.compile(
        r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|پیام اصلی)\s*-{2,}\s*$", re.I
    ),
    re.compile(r"^\s*_{20,}\s*$"),
    re.compile(r"^\s*(From|Von|De|از):\s.+$"),
]
_OUTLOOK_NEXT = re.compile(r"^\s*(Sent|Gesendet|Date|Envoyé|ارسال|تاریخ):\s", re.I)


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if i == 0:
            continue
        joined = line + " " + _at(lines, i + 1).strip()
        for pattern in _QUOTE_HEADERS[:5]:
            if pattern.match(line) or pattern.match(joined):
                return i
        if _QUOTE_HEADERS[5].match(line) and _is_outlook_header(lines, i + 1):
            return i
        if _QUOTE_HEADERS[6].match(line) and _OUTLOOK_NEXT.match(_at(lines, i + 1)):
            return i
    return None


def _at(lines: list[str], i: int) -> str:
    return lines[i] if i < len(lines) else ""


def _is_outlook_header(lines: list[str], i: int) -> bool:
    return bool(_QUOTE_HEADERS[6].match(_at(lines, i)))


def strip_quoted(text: str) -> str:
    """The new part of a reply: drops the quoted previous thread and trailing '>' quotes.

    Returns the text unchanged when stripping would leave nothing.
    """
    lines = text.split("\n")
    start = _quote_start(lines)
    if start is not None:
        lines = lines[:start]
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    shown = "\n".join(lines).strip()
    return shown or text


# HTML markers of the quoted thread (Gmail, Apple Mail, Thunderbird, Outlook).
_HTML_QUOTE = re.compile(
    r"<div[^>]+class=\"?[^\">]*gmail_quote"
    r"|<blockquote[^>]+type=\"?cite"
    r"|<div[^>]+class=\"?moz-cite-prefix"
    r"|<div[^>]+id=\"?(divRplyFwdMsg|appendonsend)"
    r"|<hr[^>]+id=\"?stopSpelling",
    re.I,
)


def strip_quoted_html(markup: str) -> str:
    """Cut an HTML reply at the first quoted-thread marker (nh3 closes open tags later)."""
    match = _HTML_QUOTE.search(markup)
    if not match:
        return markup
    head = markup[: match.start()]
    return head if html_to_text(head).strip() else markup
