from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from knowledge_base.models import Article, Category
from knowledge_base.services import save_article
from tests import factories


@pytest.fixture
def make_article(db: None) -> Callable[..., Article]:
    def _make(title: str, body: str = "", **fields: Any) -> Article:
        fields.setdefault("locale", "fa")
        fields.setdefault("status", "published")
        return save_article(Article(title=title, body=body, **fields))

    return _make


@pytest.fixture
def category(db: None) -> Category:
    return Category.objects.create(slug="account", name_en="Account", name_fa="حساب کاربری")


@pytest.fixture
def kb_editor(team_a: Any) -> Any:
    """An agent in team A who holds the knowledge-base editor right."""
    user = factories.make_user("elham", teams=[team_a])
    user.user_permissions.add(Permission.objects.get(codename="edit_articles"))
    return user


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
