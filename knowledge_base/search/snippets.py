"""Snippets: a window of the article's text with the matched words in <mark>.

Each original word is normalized on its own, so a match found on normalized
terms maps straight back to the words the reader sees, and every piece of
text is HTML-escaped before the <mark> tags are added. A word's terms are
cached: the same few thousand words make up most snippets.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape  # what django.utils.html.escape does, without its lazy wrapper

from helpdesk.normalize import normalize, split_words, word_terms

_WORDS = re.compile(r"\S+")


@lru_cache(maxsize=65536)
def _word_terms(word: str) -> tuple[str, ...]:
    """The index terms of one word of the original text."""
    return tuple(term for part in split_words(normalize(word)) for term in word_terms(part))


def _matches(word: str, terms: set[str], prefix: str) -> bool:
    found = _word_terms(word)
    if not terms.isdisjoint(found):
        return True
    return bool(prefix) and any(term.startswith(prefix) for term in found)


def highlight(text: str, terms: set[str], prefix: str = "") -> str:
    """All of `text`, escaped, with matching words marked."""
    out = []
    for word in text.split():
        piece = escape(word)
        out.append(f"<mark>{piece}</mark>" if _matches(word, terms, prefix) else piece)
    return " ".join(out)


def make_snippet(
    text: str, terms: set[str], prefix: str = "", *, width: int = 28, scan: int = 3000
) -> str:
    """The `width`-word window of `text` with the most matched words, highlighted."""
    words = _WORDS.findall(text[:scan])
    if not words:
        return ""
    hits = [_matches(w, terms, prefix) for w in words]
    sums = [0]
    for hit in hits:
        sums.append(sums[-1] + hit)
    counts = [
        sums[min(len(words), start + width)] - sums[start]
        for start in range(max(1, len(words) - width + 1))
    ]
    best_start = counts.index(max(counts))  # the first of the best windows
    # Start a couple of words before the first hit so it reads in context.
    start = max(0, best_start - 2)
    window = range(start, min(len(words), start + width))
    pieces = [f"<mark>{escape(words[i])}</mark>" if hits[i] else escape(words[i]) for i in window]
    lead = "… " if window.start > 0 else ""
    tail = " …" if window.stop < len(words) else ""
    return lead + " ".join(pieces) + tail
