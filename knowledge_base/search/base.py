"""What every search backend shares: the query, the filters, the result row."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from helpdesk.normalize import query_terms
from knowledge_base.models import Status, Visibility


class Audience(StrEnum):
    PUBLIC = "public"  # published + public: the portal, the widget, the public API
    AGENT = "agent"  # published, public or internal: suggestions in the inbox


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str
    locale: str = ""  # "" = every locale
    limit: int = 10
    audience: Audience = Audience.PUBLIC
    terms: tuple[str, ...] = field(init=False)
    # The customer may still be typing the last word: match it as a prefix.
    prefix_last: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(query_terms(self.text)[:32]))
        # A question mark or full stop ends the word: only a bare last word is a prefix.
        last = self.text[-1:] or " "
        typing = not last.isspace() and not unicodedata.category(last).startswith("P")
        object.__setattr__(self, "prefix_last", typing and bool(self.terms))


# BM25 as SQLite's FTS5 computes it, so both backends rank alike.
BM25_K1 = 1.2
BM25_B = 0.75
TITLE_WEIGHT = 10.0  # a title occurrence counts as ten body occurrences
BODY_WEIGHT = 1.0
# Terms found in more than this share of the articles ("year", "first") add
# little to the ranking but most of its cost: they are left out of the query
# unless every term is that common.
COMMON = 0.3


def bm25_idf(df: int, n: int) -> float:
    """FTS5's inverse document frequency (never zero, so every match counts)."""
    idf = math.log((n - df + 0.5) / (df + 0.5))
    return idf if idf > 0 else 1e-6


def rare_terms(terms: tuple[str, ...] | list[str], df: Mapping[str, int], n: int) -> list[str]:
    """The terms worth ranking by: found, and in at most COMMON of the `n` articles."""
    found = [t for t in terms if df.get(t, 0) > 0]
    return [t for t in found if df[t] <= COMMON * n] or found


class SearchBackend(Protocol):
    def search(self, query: SearchQuery) -> list[tuple[int, float]]:
        """(article id, score) pairs, best first, at most query.limit."""
        ...


def filter_sql(query: SearchQuery, alias: str = "a") -> tuple[str, list[str]]:
    """The WHERE fragment (DB-API %s style) for status, visibility and locale."""
    clauses = [f"{alias}.status = %s"]
    params: list[str] = [Status.PUBLISHED.value]
    if query.audience == Audience.PUBLIC:
        clauses.append(f"{alias}.visibility = %s")
        params.append(Visibility.PUBLIC.value)
    if query.locale:
        clauses.append(f"{alias}.locale = %s")
        params.append(query.locale)
    return " AND ".join(clauses), params
