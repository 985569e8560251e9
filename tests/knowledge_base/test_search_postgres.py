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
