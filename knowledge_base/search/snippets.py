"""Snippets: a window of the article's text with the matched words in <mark>.

Each original word is normalized on its own, so a match found on normalized
terms maps straight back to the words the reader sees, and every piece of
text is HTML-escaped before the <mark> tags are added.
"""

from __future__ import annotations

import re

from django.utils.html import escape

from knowledge_base.normalize import normalize, split_words, word_terms

_WORDS = re.compile(r"\S+")


def _matches(word: str, terms: set[str], prefix: str) -> bool:
    for normalized in split_words(normalize(word)):
        for term in word_terms(normalized):
            if term in terms or (prefix and term.startswith(prefix)):
                return True
    return False


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
    best_start = max(
        range(max(1, len(words) - width + 1)),
        key=lambda start: (sums[min(len(words), start + width)] - sums[start], -start),
    )
    # Start a couple of words before the first hit so it reads in context.
    start = max(0, best_start - 2)
    window = range(start, min(len(words), start + width))
    pieces = [
        f"<mark>{escape(words[i])}</mark>" if hits[i] else str(escape(words[i])) for i in window
    ]
    lead = "… " if window.start > 0 else ""
    tail = " …" if window.stop < len(words) else ""
    return lead + " ".join(pieces) + tail
