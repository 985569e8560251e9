from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from knowledge_base.models import Article
from knowledge_base.search import Audience, search_articles

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

MakeArticle = Callable[..., Article]


def slugs(text: str, **kwargs: Any) -> list[str]:
    return [hit.article.slug for hit in search_articles(text, **kwargs)]


def test_it_finds_the_persian_article_from_an_arabic_keyboard(make_article: MakeArticle) -> None:
    make_article("پیگیری سفارش", "کد رهگیری ۱۲۳۴ را در بخش سفارش‌ها ببینید.", slug="track")
    make_article("بازگشت کالا", "کالا را تا هفت روز پس بفرستید.", slug="returns")
    assert slugs("پيگيري كد ١٢٣٤") == ["track"]
    assert slugs("كد رهگيري 1234")[0] == "track"


@pytest.mark.parametrize("typed", ["سفارش‌ها", "سفارشها", "سفارش ها"])
def test_it_matches_zwnj_variants(make_article: MakeArticle, typed: str) -> None:
    make_article("راهنما", "فهرست سفارش‌ها در حساب شماست.", slug="orders")
    make_article("دیگر", "چیزی دیگر", slug="other")
    assert slugs(typed) == ["orders"]


def test_it_ranks_a_title_match_above_a_body_match(make_article: MakeArticle) -> None:
    make_article("Shipping times", "Parcels and refund of postage are explained here.", slug="b")
    make_article("Refund policy", "How we pay you back.", slug="t", locale="en")
    Article.objects.filter(slug="b").update(locale="en")
    assert slugs("refund", locale="en") == ["t", "b"]


def test_it_hides_drafts_archived_and_internal_from_the_public(make_article: MakeArticle) -> None:
    make_article("Card limits", "", slug="public", locale="en")
    make_article("Card limits draft", "", slug="draft", locale="en", status="draft")
    make_article("Card limits old", "", slug="old", locale="en", status="archived")
    make_article("Card limits internal", "", slug="internal", locale="en", visibility="internal")
    assert slugs("card limits") == ["public"]
    assert sorted(slugs("card limits", audience=Audience.AGENT)) == ["internal", "public"]


def test_it_filters_by_locale(make_article: MakeArticle) -> None:
    make_article("Password", "", slug="pw", locale="en")
    make_article("Password رمز", "", slug="pw", locale="fa")
    assert [h.article.locale for h in search_articles("password", locale="fa")] == ["fa"]
    assert len(search_articles("password")) == 2


def test_it_highlights_the_match_in_an_escaped_snippet(make_article: MakeArticle) -> None:
    make_article("Tags", "Use <script> and the refund button.", slug="x", locale="en")
    snippet = search_articles("refunds")[0].snippet
    assert "<mark>refund</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_it_matches_a_partial_last_word_while_typing(make_article: MakeArticle) -> None:
    make_article("تغییر رمز عبور", "", slug="pw")
    assert slugs("تغی") == ["pw"]
    assert slugs("passw") == []


def test_it_keeps_the_index_in_sync_on_update_and_delete(make_article: MakeArticle) -> None:
    article = make_article("Old title", "", slug="s", locale="en")
    article.title = "Brand new heading"
    article.save()
    assert slugs("old") == [] and slugs("heading") == ["s"]
    article.delete()
    assert slugs("heading") == []


def test_it_serves_public_search_without_authentication(
    make_article: MakeArticle, django_assert_max_num_queries: Any
) -> None:
    make_article("ارسال رایگان", "برای خرید بالای ۵۰۰ هزار تومان", slug="free", locale="fa")
    make_article("ارسال پیش‌نویس", "", slug="draft", status="draft")
    make_article("ارسال داخلی", "", slug="internal", visibility="internal")
    with django_assert_max_num_queries(3):  # term statistics (PostgreSQL), ranking, fetch
        response = Client().get("/api/v1/kb/search", {"q": "ارسال", "locale": "fa"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["slug"] for r in results] == ["free"]
    assert set(results[0]) >= {"slug", "title", "snippet", "score", "url"}
    assert results[0]["url"] == "/help/fa/a/free/"


def test_it_orders_api_results_best_first(make_article: MakeArticle) -> None:
    make_article("Delivery", "We ship parcels. Refund? see the refund page.", slug="b", locale="en")
    make_article("Refund", "How refund works.", slug="a", locale="en")
    results = Client().get("/api/v1/kb/search", {"q": "refund", "limit": "5"}).json()["results"]
    assert [r["slug"] for r in results] == ["a", "b"]
    assert results[0]["score"] >= results[1]["score"]


def test_it_rejects_a_bad_limit() -> None:
    assert Client().get("/api/v1/kb/search", {"q": "x", "limit": "500"}).status_code == 422
