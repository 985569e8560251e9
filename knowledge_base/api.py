"""The knowledge base's part of the JSON API (mounted at /api/v1/kb/)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from knowledge_base.models import Locale
from knowledge_base.search import Audience, search_articles

router = Router(tags=["knowledge base"])


class SearchParams(Schema):
    q: str = Field(default="", max_length=500)
    locale: Locale | None = None
    limit: int = Field(default=10, ge=1, le=50)


class SearchResult(Schema):
    slug: str
    title: str
    snippet: str = Field(description="HTML: escaped text with <mark> around matches")
    score: float
    url: str
    locale: str


class SearchResponse(Schema):
    results: list[SearchResult]


@router.get("/search", auth=None, response=SearchResponse, url_name="kb_search")
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, object]:
    """Public, published articles matching `q`, best first (no authentication)."""
    hits = search_articles(
        params.q,
        locale=params.locale.value if params.locale else "",
        limit=params.limit,
        audience=Audience.PUBLIC,
    )
    return {
        "results": [
            {
                "slug": hit.article.slug,
                "title": hit.article.title,
                "snippet": hit.snippet,
                "score": hit.score,
                "url": hit.article.get_absolute_url(),
                "locale": hit.article.locale,
            }
            for hit in hits
        ]
    }
