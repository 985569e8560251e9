"""Article suggestions: a provider hook the knowledge base plugs into.

The core answers customers with matching articles (automation) and shows them
to agents, but imports no knowledge base: the knowledge base registers its
provider when its app is ready. With no provider installed there are no
suggestions, and nothing fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Suggestion:
    article_id: int
    slug: str
    locale: str
    title: str
    summary: str
    snippet: str  # escaped HTML with <mark> around the matched words
    url: str  # the public portal path, e.g. /help/fa/a/<slug>/
    score: float


# (text, locale, limit, include_internal) -> suggestions, best first
type Provider = Callable[[str, str, int, bool], list[Suggestion]]

_providers: list[Provider] = []


def register_provider(provider: Provider) -> None:
    """Install a provider (the knowledge base does, from its AppConfig.ready)."""
    if provider not in _providers:
        _providers.append(provider)


def suggest_articles(
    text: str, locale: str = "", limit: int = 5, *, include_internal: bool = False
) -> list[Suggestion]:
    """The best articles for `text` from every provider, best first."""
    found: list[Suggestion] = []
    for provider in _providers:
        found.extend(provider(text, locale, limit, include_internal))
    return sorted(found, key=lambda s: s.score, reverse=True)[:limit]
