"""What every search backend shares: the query, the filters, the result row."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from knowledge_base.models import Status, Visibility
from knowledge_base.normalize import query_terms


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
        typing = bool(self.text) and not self.text[-1].isspace()
        object.__setattr__(self, "prefix_last", typing and bool(self.terms))


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
