"""Markdown -> sanitized HTML (markdown-it-py, then the desk's one sanitizer)."""

from __future__ import annotations

import html
import re
from functools import cache

from django.utils.html import strip_tags
from markdown_it import MarkdownIt

from helpdesk.sanitize import sanitize_html

_SPACES = re.compile(r"\s+")


@cache
def _parser() -> MarkdownIt:
    # Raw HTML in Markdown is disabled: editors write Markdown, not markup.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(source: str) -> str:
    """The article body as HTML that is safe to show to anyone."""
    if not source.strip():
        return ""
    return sanitize_html(_parser().render(source))


def plain_text(rendered: str) -> str:
    """Readable text of rendered HTML (for search snippets and meta descriptions)."""
    text = html.unescape(strip_tags(rendered.replace("<", " <")))
    return _SPACES.sub(" ", text).strip()
