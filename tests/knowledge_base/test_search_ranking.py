from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from knowledge_base.models import Article
from knowledge_base.search import Audience, search_articles
from knowledge_base.search.base import SearchQuery, bm25_idf, rare_terms

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

MakeArticle = Callable[..., Article]


def slugs(text: str, **kwargs: Any) -> list[str]:
    return [hit.article.slug for hit in search_articles(text, **kwargs)]


def test_it_leaves_out_terms_most_articles_hold() -> None:
    df = {"account": 60, "refund": 3, "card": 30}
    assert rare_terms(["account", "refund", "card", "unknown"], df, 100) == ["refund", "card"]
    assert rare_terms(["account"], df, 100) == ["account"]  # all common: keep them
    assert rare_terms(["unknown"], df, 100) == []
    assert bm25_idf(1, 100) > bm25_idf(30, 100) > 0 and bm25_idf(90, 100) > 0


def test_it_treats_the_last_word_of_a_finished_question_as_complete() -> None:
    assert SearchQuery("تغییر رمز تغی").prefix_last
    assert not SearchQuery("تغییر رمز تغی؟").prefix_last
    assert not SearchQuery("reset password?").prefix_last
    assert not SearchQuery("reset password ").prefix_last
    assert slugs("تغی؟") == []


def test_it_completes_a_typed_prefix_to_every_word_it_begins(make_article: MakeArticle) -> None:
    make_article("Reset a password", "", slug="pw", locale="en")
    make_article("Passport checks", "", slug="pp", locale="en")
    make_article("Shipping", "", slug="ship", locale="en")
    assert sorted(slugs("pass")) == ["pp", "pw"]
    assert slugs("passp")[0] == "pp"


def test_it_ranks_by_the_rare_word_when_common_words_are_everywhere(
    make_article: MakeArticle,
) -> None:
    for n in range(12):
        make_article(
            f"Account settings {n}", "Your account settings page.", slug=f"s{n}", locale="en"
        )
    make_article("Money back", "Account settings: ask for a refund here.", slug="r", locale="en")
    assert slugs("account settings refund", locale="en")[0] == "r"
    assert len(slugs("account settings", locale="en")) == 10  # only common words: still found


def test_it_ranks_by_term_count_and_length(make_article: MakeArticle) -> None:
    filler = " ".join(f"word{n}" for n in range(80))
    make_article("Cards", f"My card was declined. {filler} card.", slug="long", locale="en")
    make_article(
        "Payments", "Card declined? The card was declined twice.", slug="short", locale="en"
    )
    make_article("Other", "Nothing here.", slug="other", locale="en")
    assert slugs("declined card", locale="en") == ["short", "long"]


def test_it_finds_a_public_article_behind_many_better_internal_ones(
    make_article: MakeArticle,
) -> None:
    for n in range(30):
        make_article(f"Refund rules {n}", "Refund refund.", slug=f"i{n}", visibility="internal")
    make_article("Money back", "Ask for a refund.", slug="public")
    assert slugs("refund", limit=1) == ["public"]
    assert slugs("refund", limit=1, audience=Audience.AGENT)[0].startswith("i")


def test_it_follows_publishing_and_visibility_changes(make_article: MakeArticle) -> None:
    article = make_article("Gift cards", "How gift cards work.", slug="gift", locale="en")
    assert slugs("gift") == ["gift"]
    article.status = "archived"
    article.save()
    assert slugs("gift") == []
    article.status = "published"
    article.visibility = "internal"
    article.save()
    assert slugs("gift") == [] and slugs("gift", audience=Audience.AGENT) == ["gift"]
    Article.objects.filter(pk=article.pk).update(visibility="public")
    assert slugs("gift") == ["gift"]
    Article.objects.filter(pk=article.pk).update(status="draft")
    assert slugs("gift", audience=Audience.AGENT) == []
