"""Re-derive the articles' search terms after the English stemmer became Snowball.

`title_norm` and `body_norm` hold stemmed terms (helpdesk.normalize.index_text);
queries are now stemmed by Snowball, so the stored terms must be too. The
update fires the search triggers of migrations 0002/0003 (FTS5 on SQLite, the
postings on PostgreSQL), which re-index each article.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from helpdesk.normalize import index_text


def forwards(apps: Any, schema_editor: Any) -> None:
    article_model = apps.get_model("knowledge_base", "Article")
    rows = article_model.objects.values_list("pk", "title", "summary", "body_text")
    for pk, title, summary, body_text in rows.iterator(chunk_size=500):
        article_model.objects.filter(pk=pk).update(
            title_norm=index_text(title), body_norm=index_text(f"{summary}\n{body_text}")
        )


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0003_search_postings")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
