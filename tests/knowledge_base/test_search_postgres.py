from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from knowledge_base.models import Article
from knowledge_base.search import search_articles

# Runs in the PostgreSQL run only (not marked embedded): pg_trgm is PostgreSQL's.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_it_runs_on_the_postgresql_backend() -> None:
    assert connection.vendor == "postgresql"


def test_it_finds_a_title_with_a_typo(make_article: Callable[..., Article]) -> None:
    make_article("Reset your password", "", slug="pw", locale="en")
    make_article("Shipping", "", slug="ship", locale="en")
    assert [h.article.slug for h in search_articles("pasword")] == ["pw"]


def test_it_finds_a_persian_title_with_a_typo(make_article: Callable[..., Article]) -> None:
    make_article("تغییر رمز عبور", "", slug="pw")
    assert [h.article.slug for h in search_articles("رمز عبوور")] == ["pw"]


def _term_stats() -> dict[str, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT term, df, tokens FROM kb_search_term WHERE df <> 0")
        return {term: (df, tokens) for term, df, tokens in cursor.fetchall()}


def test_it_keeps_term_statistics_in_step_with_the_articles(
    make_article: Callable[..., Article],
) -> None:
    a = make_article("Gift cards", "Gift cards never expire.", slug="gift", locale="en")
    make_article("Cards", "Lost card.", slug="card", locale="en")
    make_article("Gift draft", "Gift", slug="draft", locale="en", status="draft")
    stats = _term_stats()
    # '' holds the published articles and their length in terms (2 + 4, 1 + 2).
    assert stats[""] == (2, 9) and stats["gift"] == (1, 0) and stats["card"] == (2, 0)
    Article.objects.filter(pk=a.pk).update(view_count=5)  # not a searchable change
    assert _term_stats() == stats
    a.title = "Vouchers"
    a.body = "Vouchers never expire."
    a.save()
    stats = _term_stats()
    assert "gift" not in stats and stats["voucher"] == (1, 0) and stats[""] == (2, 7)
    a.delete()
    assert _term_stats() == {"": (1, 3), "card": (1, 0), "lost": (1, 0)}
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what a test flush sees
        cursor.execute("TRUNCATE knowledge_base_article CASCADE")
        cursor.execute("SELECT count(*) FROM kb_search_posting")
        assert cursor.fetchone() == (0,)
    assert _term_stats() == {}


def test_it_skips_the_title_trigram_branch_for_long_questions(
    make_article: Callable[..., Article],
) -> None:
    make_article("Reset your password", "", slug="pw", locale="en")
    assert [h.article.slug for h in search_articles("pasword")] == ["pw"]
    assert search_articles("pasword forgoten on my acount today please") == []
