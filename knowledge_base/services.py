"""Writing articles: every save records a revision (editor views, admin, kb_import)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from knowledge_base.models import Article, ArticleRevision, ArticleVote, Category, Status


def save_article(article: Article, editor: Any = None) -> Article:
    """Save `article` (rendering and indexing it) and snapshot it as a revision."""
    with transaction.atomic():
        if article.status == Status.PUBLISHED and article.published_at is None:
            article.published_at = timezone.now()
        if not article.slug:
            article.slug = unique_slug(article.title, article.locale, exclude=article.pk)
        article.save()
        ArticleRevision.objects.create(
            article=article,
            title=article.title,
            body=article.body,
            status=article.status,
            editor=editor if getattr(editor, "is_authenticated", False) else None,
        )
    return article


def unique_slug(title: str, locale: str, *, exclude: int | None = None) -> str:
    base = slugify(title, allow_unicode=True)[:180] or "article"
    slug, n = base, 1
    taken = Article.objects.filter(locale=locale)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def category_for_path(path: str, locale: str) -> Category | None:
    """The category at a slash-separated path of slugs or names, created if missing."""
    parent: Category | None = None
    for segment in (s.strip() for s in path.split("/")):
        if not segment:
            continue
        slug = slugify(segment, allow_unicode=True)[:120] or "category"
        node = Category.objects.filter(slug=slug).first()
        if node is None:
            names = {"name_fa": segment} if locale == "fa" else {"name_en": segment}
            node = Category.objects.create(slug=slug, parent=parent, **names)
        parent = node
    return parent


def record_view(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def record_vote(article: Article, *, helpful: bool, comment: str = "") -> ArticleVote:
    """Store a "was this helpful?" answer and bump the article's counter."""
    with transaction.atomic():
        vote = ArticleVote.objects.create(article=article, helpful=helpful, comment=comment)
        counter = "helpful_yes" if helpful else "helpful_no"
        Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    return vote
