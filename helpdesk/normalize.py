"""The one Persian/English text normalizer, applied on write and on every query.

Both sides of a search go through the same functions, so whatever a customer
types on an Arabic keyboard (ي, ك, Arabic-Indic digits, no ZWNJ or a space
instead of it) reduces to the same terms as the article's text.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import snowballstemmer

ZWNJ = "\u200c"

# Letters an Arabic keyboard produces where Persian uses another code point.
_LETTERS = {
    "\u064a": "\u06cc",  # ي Arabic yeh -> ی
    "\u0649": "\u06cc",  # ى alef maksura -> ی
    "\u0643": "\u06a9",  # ك Arabic kaf -> ک
}
_HEH = {
    "\u0629": "\u0647",  # ة teh marbuta -> ه
    "\u06c0": "\u0647",  # ۀ heh with yeh above -> ه
}
# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits -> ASCII.
_DIGITS = {0x06F0 + i: str(i) for i in range(10)} | {0x0660 + i: str(i) for i in range(10)}
# Harakat, hamza above/below (U+064B..U+065F), superscript alef, tatweel.
_REMOVE = {cp: None for cp in range(0x064B, 0x0660)} | {0x0670: None, 0x0640: None}
# Invisible joiners/marks: ZWJ, LRM, RLM, soft hyphen, BOM. ZWNJ is kept for terms().
_REMOVE |= {0x200D: None, 0x200E: None, 0x200F: None, 0x00AD: None, 0xFEFF: None}

_TABLE = str.maketrans({**_LETTERS, **{chr(k): v for k, v in _DIGITS.items()}}) | _REMOVE
_TABLE_HEH = _TABLE | str.maketrans(_HEH)

_SPLIT = re.compile(r"[^\w\u200c]+")
_ZWNJ_RUN = re.compile(r"\u200c+")
_ASCII_WORD = re.compile(r"[a-z]+")

# Function words that carry no meaning for ranking; removed from queries only.
# English keeps only articles, conjunctions and prepositions: "how", "why",
# "my", "can" tell one customer question from another (banking77 intent@1
# 0.853 -> 0.864 with the stemmer below; docs/BENCHMARKS.md).
_STOPWORDS = """
    a an and as at by for from in of on or the to with
    از به با در که را این آن و یا تا بر برای هم نیز است بود شد می هست ای های ها
    چه چی کدام چیست کجا کی چرا چگونه چطور آیا چند شده یک را
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def normalize(text: str, *, fold_heh: bool = True) -> str:
    """Canonical form of `text`: NFC, Persian letters, ASCII digits, lower case.

    NFC comes first because hamza is often stored decomposed (ي + U+0654), and
    the letter mapping must see the composed ئ. ZWNJ is kept (runs collapsed);
    terms() decides what it means.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_TABLE_HEH if fold_heh else _TABLE)
    text = _ZWNJ_RUN.sub(ZWNJ, text)
    return text.lower()


# The Snowball ("Porter2") English stemmer; snowballstemmer uses PyStemmer's C
# implementation when it is installed. Not thread-safe: one per thread.
_STEMMERS = threading.local()


@functools.lru_cache(maxsize=65_536)
def stem_english(word: str) -> str:
    """The Snowball English stem of a lower-case ASCII word (`charged` -> `charg`)."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


def _term(token: str) -> str:
    return stem_english(token) if _ASCII_WORD.fullmatch(token) else token


def word_terms(word: str) -> list[str]:
    """The index terms of one already-normalized word.

    A word written with ZWNJ (می‌خواهم) yields the joined form (میخواهم, what
    you get when ZWNJ is dropped) and its parts (می, خواهم, what you get when
    ZWNJ is typed as a space), so every spelling of it meets the others.
    """
    if ZWNJ not in word:
        return [_term(word)] if word else []
    parts = [p for p in word.split(ZWNJ) if p]
    joined = "".join(parts)
    out = [_term(joined)] if joined else []
    if len(parts) > 1:
        out.extend(_term(p) for p in parts)
    return out


def split_words(normalized: str) -> list[str]:
    """Words of normalized text (ZWNJ stays inside a word, trimmed at its ends)."""
    words = (w.strip(ZWNJ).strip("_") for w in _SPLIT.split(normalized))
    return [w for w in words if w]


def terms(text: str) -> list[str]:
    """Every index term of `text`, in order (duplicates kept)."""
    out: list[str] = []
    for word in split_words(normalize(text)):
        out.extend(word_terms(word))
    return out


def index_text(text: str) -> str:
    """What the search backends index: the terms joined by spaces."""
    return " ".join(terms(text))


def query_terms(text: str) -> list[str]:
    """Distinct meaningful terms of a query, in order (stop words dropped unless all are)."""
    seen: dict[str, None] = {}
    for term in terms(text):
        seen.setdefault(term, None)
    found = list(seen)
    meaningful = [t for t in found if t not in STOPWORDS]
    return meaningful or found
