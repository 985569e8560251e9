from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from knowledge_base.models import Article, ArticleRevision, Category

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

ARTICLES = [
    {
        "title": "تغییر رمز عبور",
        "body": "برای تغییر **رمز** به تنظیمات بروید.",
        "locale": "fa",
        "category": "account/security",
        "slug": "change-password",
        "translation_key": "pw",
    },
    {
        "title": "Change your password",
        "body": "Go to *Settings*.",
        "locale": "en",
        "category": "account/security",
        "slug": "change-password",
        "translation_key": "pw",
    },
    {
        "title": "Internal: refunds",
        "body": "Ask finance.",
        "locale": "en",
        "category": "billing",
        "status": "draft",
        "visibility": "internal",
    },
]


def run(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_it_imports_articles_with_categories_and_progress(tmp_path: Path) -> None:
    source = tmp_path / "kb.json"
    source.write_text(json.dumps(ARTICLES, ensure_ascii=False), encoding="utf-8")
    output = run("kb_import", str(source))
    assert "3 created" in output and "3/3" in output
    fa = Article.objects.get(locale="fa", slug="change-password")
    assert fa.category is not None and fa.category.path() == "account/security"
    assert "<strong>رمز</strong>" in fa.body_html
    assert [t.locale for t in fa.translations()] == ["en"]
    draft = Article.objects.get(title="Internal: refunds")
    assert (draft.status, draft.visibility, draft.slug) == ("draft", "internal", "internal-refunds")
    assert Category.objects.count() == 3


def test_it_reimports_idempotently_and_updates_by_slug(tmp_path: Path) -> None:
    source = tmp_path / "kb.json"
    source.write_text(json.dumps(ARTICLES, ensure_ascii=False), encoding="utf-8")
    run("kb_import", str(source))
    assert "0 created, 0 updated, 3 unchanged" in run("kb_import", str(source), "--no-progress")
    changed = [dict(ARTICLES[1], title="Change or reset your password"), ARTICLES[0]]
    source.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    assert "0 created, 1 updated, 1 unchanged" in run("kb_import", str(source))
    assert Article.objects.count() == 3
    en = Article.objects.get(locale="en", slug="change-password")
    assert en.title == "Change or reset your password"
    assert ArticleRevision.objects.filter(article=en).count() == 2


def test_it_round_trips_through_export(tmp_path: Path) -> None:
    source, exported = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(ARTICLES, ensure_ascii=False), encoding="utf-8")
    run("kb_import", str(source))
    run("kb_export", str(exported))
    records = json.loads(exported.read_text(encoding="utf-8"))
    assert len(records) == 3
    by_key = {(r["locale"], r["slug"]): r for r in records}
    assert by_key[("fa", "change-password")]["body"] == ARTICLES[0]["body"]
    assert by_key[("fa", "change-password")]["category"] == "account/security"
    Article.objects.all().delete()
    run("kb_import", str(exported))
    again = tmp_path / "again.json"
    run("kb_export", str(again))
    assert json.loads(again.read_text(encoding="utf-8")) == records


def test_it_imports_markdown_with_front_matter(tmp_path: Path) -> None:
    (tmp_path / "returns.md").write_text(
        "---\ntitle: بازگشت کالا\nlocale: fa\ncategory: orders\n---\n# مراحل\n\n۱. بسته‌بندی\n",
        encoding="utf-8",
    )
    run("kb_import", str(tmp_path))
    article = Article.objects.get(slug="returns")
    assert article.title == "بازگشت کالا" and article.locale == "fa"
    assert "<h1>مراحل</h1>" in article.body_html


def test_it_refuses_a_malformed_file(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    source = tmp_path / "bad.json"
    source.write_text(json.dumps([{"title": "x", "locale": "de"}]), encoding="utf-8")
    with pytest.raises(CommandError):
        run("kb_import", str(source))
