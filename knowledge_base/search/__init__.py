"""Knowledge-base search: one interface, a backend per database vendor."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from knowledge_base.models import Article
from knowledge_base.search.base import Audience, SearchBackend, SearchQuery
from knowledge_base.search.snippets import highlight, make_snippet

__all__ = ["Audience", "SearchHit", "SearchQuery", "get_backend", "search_articles"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: Article
    score: float
    title_html: str
    snippet: str


def get_backend() -> SearchBackend:
    """The backend for the default database (PostgreSQL, else SQLite FTS5)."""
    if connection.vendor == "postgresql":
        from knowledge_base.search.postgres import PostgresBackend

        return PostgresBackend()
    from knowledge_base.search.sqlite import SqliteBackend

    return SqliteBackend()


def search_ids(query: SearchQuery) -> list[tuple[int, float]]:
    """Ranked (article id, score) pairs: one query, no snippets (what the bench times)."""
    return get_backend().search(query)


def search_articles(
    text: str,
    *,
    locale: str = "",
    limit: int = 10,
    audience: Audience = Audience.PUBLIC,
) -> list[SearchHit]:
    """Articles matching `text`, best first, with highlighted titles and snippets."""
    query = SearchQuery(text=text, locale=locale, limit=max(1, min(limit, 50)), audience=audience)
    ranked = search_ids(query)
    if not ranked:
        return []
    articles = Article.objects.only(
        "id", "slug", "locale", "title", "summary", "body_text", "status", "visibility"
    ).in_bulk([pk for pk, _score in ranked])
    terms = set(query.terms)
    prefix = query.terms[-1] if query.prefix_last and len(query.terms[-1]) >= 2 else ""
    hits = []
    for pk, score in ranked:
        article = articles.get(pk)
        if article is None:
            continue
        hits.append(
            SearchHit(
                article=article,
                score=round(score, 6),
                title_html=highlight(article.title, terms, prefix),
                snippet=make_snippet(article.body_text or article.summary, terms, prefix),
            )
        )
    return hits
