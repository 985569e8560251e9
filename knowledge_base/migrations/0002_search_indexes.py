"""Full-text search structures, per database vendor (see knowledge_base/search/).

SQLite: an FTS5 external-content table over the normalized columns, kept in
sync by triggers. PostgreSQL: a generated 'simple' tsvector (title weight A,
body weight B) with a GIN index, and pg_trgm on the normalized title.
"""

from __future__ import annotations

from django.db import migrations


class VendorRunSQL(migrations.RunSQL):
    """RunSQL that only runs on one database vendor."""

    def __init__(self, vendor: str, sql: list[str], reverse_sql: list[str]) -> None:
        self.vendor = vendor
        super().__init__(sql, reverse_sql)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, args, kwargs = super().deconstruct()
        kwargs["vendor"] = self.vendor
        return name, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


SQLITE = [
    "CREATE VIRTUAL TABLE kb_article_fts USING fts5("
    "title_norm, body_norm, content='knowledge_base_article', content_rowid='id', "
    "prefix='2 3')",
    "CREATE TRIGGER kb_article_fts_ai AFTER INSERT ON knowledge_base_article BEGIN "
    "INSERT INTO kb_article_fts(rowid, title_norm, body_norm) "
    "VALUES (new.id, new.title_norm, new.body_norm); END",
    "CREATE TRIGGER kb_article_fts_ad AFTER DELETE ON knowledge_base_article BEGIN "
    "INSERT INTO kb_article_fts(kb_article_fts, rowid, title_norm, body_norm) "
    "VALUES ('delete', old.id, old.title_norm, old.body_norm); END",
    "CREATE TRIGGER kb_article_fts_au AFTER UPDATE OF title_norm, body_norm "
    "ON knowledge_base_article BEGIN "
    "INSERT INTO kb_article_fts(kb_article_fts, rowid, title_norm, body_norm) "
    "VALUES ('delete', old.id, old.title_norm, old.body_norm); "
    "INSERT INTO kb_article_fts(rowid, title_norm, body_norm) "
    "VALUES (new.id, new.title_norm, new.body_norm); END",
    "INSERT INTO kb_article_fts(kb_article_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS kb_article_fts_au",
    "DROP TRIGGER IF EXISTS kb_article_fts_ad",
    "DROP TRIGGER IF EXISTS kb_article_fts_ai",
    "DROP TABLE IF EXISTS kb_article_fts",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE knowledge_base_article ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title_norm, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(body_norm, '')), 'B')) STORED",
    "CREATE INDEX kb_article_search_idx ON knowledge_base_article USING gin (search_vector)",
    "CREATE INDEX kb_article_title_trgm_idx ON knowledge_base_article "
    "USING gin (title_norm gin_trgm_ops)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS kb_article_title_trgm_idx",
    "DROP INDEX IF EXISTS kb_article_search_idx",
    "ALTER TABLE knowledge_base_article DROP COLUMN IF EXISTS search_vector",
]


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0001_initial")]

    operations = [
        VendorRunSQL("sqlite", SQLITE, SQLITE_REVERSE),
        VendorRunSQL("postgresql", POSTGRES, POSTGRES_REVERSE),
    ]
