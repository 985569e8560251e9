"""Article suggestions for a customer's message: the provider behind helpdesk.suggestions."""

from __future__ import annotations

from helpdesk.suggestions import Suggestion
from knowledge_base.search import Audience, search_articles


def suggest_articles(
    text: str, locale: str = "", limit: int = 5, *, include_internal: bool = False
) -> list[Suggestion]:
    """The published articles that best match `text`, best first.

    `locale` ("fa", "en" or "" for any) narrows to the customer's language; when
    nothing matches in that language the other one is tried, since a link in
    the wrong language beats none. Internal articles are left out unless
    `include_internal` (they cannot be linked to a customer). Cheap enough to
    call on every render of a ticket: one search query plus one fetch.
    """
    audience = Audience.AGENT if include_internal else Audience.PUBLIC
    text = text[:2000]
    hits = search_articles(text, locale=locale, limit=limit, audience=audience)
    if not hits and locale:
        hits = search_articles(text, locale="", limit=limit, audience=audience)
    return [
        Suggestion(
            article_id=hit.article.pk,
            slug=hit.article.slug,
            locale=hit.article.locale,
            title=hit.article.title,
            summary=hit.article.summary,
            snippet=hit.snippet,
            url=hit.article.get_absolute_url(),
            score=hit.score,
        )
        for hit in hits
    ]


def provider(text: str, locale: str, limit: int, include_internal: bool) -> list[Suggestion]:
    """`suggest_articles` in the shape of helpdesk.suggestions.Provider."""
    return suggest_articles(text, locale, limit, include_internal=include_internal)
