"""English questions meet articles through the Snowball stemmer, old rows included."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps

from knowledge_base.models import Article
from knowledge_base.search import search_articles

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
MakeArticle = Callable[..., Article]


def test_it_matches_english_word_forms_and_keeps_question_words(
    make_article: MakeArticle,
) -> None:
    wanted = make_article(
        "Why was I charged a fee?", "Fees are charged for transfers.", locale="en"
    )
    make_article("How to pay a fee", "You can pay fees by card.", locale="en")
    hits = search_articles("why am i being charged fees?", locale="en")
    assert [h.article.pk for h in hits][:1] == [wanted.pk]
    assert "<mark>charged</mark>" in hits[0].title_html


def test_the_migration_restems_articles_indexed_with_the_old_stemmer(
    make_article: MakeArticle,
) -> None:
    article = make_article("Policies", "Delivery policies for cards.", locale="en")
    # What the light stemmer stored: "policy", which a Snowball query ("polici") misses.
    Article.objects.filter(pk=article.pk).update(title_norm="policy", body_norm="policy")
    migration: Any = importlib.import_module("knowledge_base.migrations.0004_snowball_terms")
    migration.forwards(apps, None)
    article.refresh_from_db()
    assert (article.title_norm, article.body_norm) == ("polici", "deliveri polici for card")
    assert [h.article.pk for h in search_articles("policies?", locale="en")] == [article.pk]
