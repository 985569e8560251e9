"""kb_import / kb_export: the JSON format and Markdown files with YAML front matter.

JSON: an array of {title, body, locale, category, slug?, status?, visibility?,
summary?, translation_key?}. `category` is a slash-separated path of category
slugs or names (created when missing). Re-importing updates by (locale, slug).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.text import slugify
from pydantic import BaseModel, ConfigDict, Field

from knowledge_base.models import Article, Locale, Status, Visibility
from knowledge_base.services import category_for_path, save_article


class ArticleRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=250)
    body: str = ""
    locale: Locale
    category: str = ""
    slug: str = Field(default="", max_length=200)
    status: Status = Status.PUBLISHED
    visibility: Visibility = Visibility.PUBLIC
    summary: str = Field(default="", max_length=400)
    translation_key: str = Field(default="", max_length=100)


@dataclass
class ImportStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def read_records(path: Path) -> list[ArticleRecord]:
    """Records from a JSON file, a Markdown file, or a directory of Markdown files."""
    if path.is_dir():
        return [_markdown_record(p) for p in sorted(path.rglob("*.md"))]
    if path.suffix.lower() in {".md", ".markdown"}:
        return [_markdown_record(path)]
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("the JSON file must hold an array of articles")
    return [ArticleRecord.model_validate(item) for item in data]


def _markdown_record(path: Path) -> ArticleRecord:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    if text.startswith("---"):
        _, front, text = text.split("---", 2)
        meta = yaml.safe_load(front) or {}
    meta.setdefault("slug", path.stem)
    return ArticleRecord.model_validate({**meta, "body": text.strip("\n")})


def import_record(record: ArticleRecord, stats: ImportStats) -> Article:
    """Create or update the article (locale, slug); unchanged ones are not re-saved."""
    category = category_for_path(record.category, record.locale) if record.category else None
    # Without a slug the title's slug is the key, so re-imports still update in place.
    slug = record.slug or slugify(record.title, allow_unicode=True)[:180] or "article"
    article = Article.objects.filter(locale=record.locale, slug=slug).first()
    values = {
        "title": record.title,
        "body": record.body,
        "summary": record.summary,
        "status": record.status.value,
        "visibility": record.visibility.value,
        "translation_key": record.translation_key,
        "category": category,
    }
    if article is None:
        stats.created += 1
        return save_article(Article(locale=record.locale, slug=slug, **values))
    if all(getattr(article, k) == v for k, v in values.items()):
        stats.unchanged += 1
        return article
    for key, value in values.items():
        setattr(article, key, value)
    stats.updated += 1
    return save_article(article)


def export_records(articles: Iterable[Article]) -> Iterator[dict[str, str]]:
    for article in articles:
        yield {
            "title": article.title,
            "body": article.body,
            "locale": article.locale,
            "category": article.category.path() if article.category else "",
            "slug": article.slug,
            "status": article.status,
            "visibility": article.visibility,
            "summary": article.summary,
            "translation_key": article.translation_key,
        }
