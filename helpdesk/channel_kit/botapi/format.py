"""Outbound text for the Bot API's HTML parse mode: only tags Telegram knows, split at its limit."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

# sendMessage takes 1-4096 characters after entity parsing, counted in UTF-16 units.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

_KEEP = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_BLOCK = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _ToTelegram(HTMLParser):
    """Sanitized desk HTML -> Telegram HTML (unknown tags dropped, their text kept)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.visible: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._text("\n")
        elif tag == "li":
            self._text("• ")
        if tag in _KEEP:
            self.out.append(f"<{_KEEP[tag]}>")
            self.stack.append(_KEEP[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://", "mailto:", "tel:")):
                self.out.append(f'<a href="{escape(href, quote=True)}">')
                self.stack.append("a")
            else:
                self.stack.append("")

    def handle_endtag(self, tag: str) -> None:
        mapped = _KEEP.get(tag, "a" if tag == "a" else None)
        if mapped is not None and self.stack:
            closing = self.stack.pop()
            if closing:
                self.out.append(f"</{closing}>")
        if tag in _BLOCK:
            self._text("\n")

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        self.out.append(escape(data, quote=False))
        self.visible.append(data)


def html_to_telegram(html: str) -> tuple[str, str]:
    """(Telegram HTML, the visible text it shows)."""
    parser = _ToTelegram()
    parser.feed(html)
    parser.close()
    for tag in reversed(parser.stack):
        if tag:
            parser.out.append(f"</{tag}>")
    return "".join(parser.out).strip(), "".join(parser.visible).strip()


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Chunks of at most `limit` UTF-16 units, cut at a line break or space when possible."""
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            chunks.append(rest)
            break
        end = len(rest)
        while utf16_len(rest[:end]) > limit:
            end = min(end - 1, limit)
        window = rest[:end]
        cut = max(window.rfind("\n"), window.rfind(" "))
        if cut < end // 2:
            cut = end
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return chunks


def telegram_chunks(text: str, html: str) -> list[str]:
    """The message bodies (Telegram HTML) to send for a reply, in order.

    Formatted HTML is kept when it fits one message; a longer reply is split as
    plain text, because a cut inside a tag would be refused by Telegram.
    """
    if html:
        rich, visible = html_to_telegram(html)
        if visible and utf16_len(visible) <= TEXT_LIMIT:
            return [rich]
        text = text or visible
    return [escape(chunk, quote=False) for chunk in split_text(text)]


def plain_chunks(text: str, html: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Plain-text message bodies for a service without an HTML parse mode (Bale)."""
    if html and not text:
        text = html_to_telegram(html)[1]
    return split_text(text, limit)
