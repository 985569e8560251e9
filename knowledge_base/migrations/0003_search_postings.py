"""Faster, BM25-ranked search structures (see knowledge_base/search/).

PostgreSQL: an inverted index of its own, kept in sync by statement-level
triggers. `kb_search_posting` holds one row per (term, published article) with
the term's counts in the title and body and the article's length in terms;
`kb_search_term` holds each term's document frequency, and its '' row the
number of published articles and their total length. With these the backend
scores by BM25 exactly as SQLite's FTS5 does (term counts, length
normalization) and reads only the postings of the query's terms, from one
covering index, instead of re-checking every candidate's tsvector.

SQLite: an fts5vocab table over kb_article_fts, so the backend can see how
common each query term is before asking FTS5 to rank.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

POSTGRES = [
    """
    CREATE TABLE kb_search_posting (
        term text COLLATE "C" NOT NULL,
        article_id bigint NOT NULL,
        locale varchar(5) NOT NULL,
        audience smallint NOT NULL,
        title_tf smallint NOT NULL,
        body_tf integer NOT NULL,
        doc_len integer NOT NULL
    )
    """,
    "CREATE INDEX kb_search_posting_term_idx ON kb_search_posting "
    "(term, audience, locale) INCLUDE (article_id, title_tf, body_tf, doc_len)",
    "CREATE INDEX kb_search_posting_article_idx ON kb_search_posting (article_id)",
    """
    CREATE TABLE kb_search_term (
        term text COLLATE "C" PRIMARY KEY,
        df bigint NOT NULL,
        tokens bigint NOT NULL DEFAULT 0
    )
    """,
    # (Re)index the given articles: drop their postings (taking their counts out
    # of kb_search_term), then add postings for those that are published now.
    # Upserts go in term order, so concurrent saves never deadlock on it.
    """
    CREATE FUNCTION kb_search_reindex(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $fn$
    BEGIN
        IF ids IS NULL OR cardinality(ids) = 0 THEN
            RETURN;
        END IF;
        WITH gone AS (
            DELETE FROM kb_search_posting WHERE article_id = ANY(ids)
            RETURNING term, article_id, doc_len
        ), delta AS (
            SELECT term, -count(*) AS df, 0::bigint AS tokens FROM gone GROUP BY term
            UNION ALL
            SELECT '', -count(*), -sum(doc_len) FROM (SELECT DISTINCT article_id, doc_len FROM gone) d
            HAVING count(*) > 0
        )
        INSERT INTO kb_search_term AS s (term, df, tokens)
        SELECT term, df, tokens FROM delta ORDER BY term
        ON CONFLICT (term) DO UPDATE SET df = s.df + excluded.df, tokens = s.tokens + excluded.tokens;

        WITH docs AS (
            SELECT a.id, a.locale,
                   CASE WHEN a.visibility = 'public' THEN 2 ELSE 1 END AS audience,
                   string_to_array(a.title_norm, ' ') AS t,
                   string_to_array(a.body_norm, ' ') AS b
            FROM knowledge_base_article a
            WHERE a.id = ANY(ids) AND a.status = 'published'
        ), words AS (
            SELECT d.id, w.term, w.field
            FROM docs d,
                 LATERAL (SELECT x, 0 FROM unnest(d.t) x
                          UNION ALL SELECT x, 1 FROM unnest(d.b) x) AS w(term, field)
            WHERE w.term <> '' AND length(w.term) <= 100
        ), lens AS (
            SELECT id, count(*)::integer AS len FROM words GROUP BY id
        ), posts AS (
            INSERT INTO kb_search_posting
                (term, article_id, locale, audience, title_tf, body_tf, doc_len)
            SELECT w.term, d.id, d.locale, d.audience,
                   count(*) FILTER (WHERE w.field = 0), count(*) FILTER (WHERE w.field = 1),
                   l.len
            FROM words w JOIN docs d ON d.id = w.id JOIN lens l ON l.id = w.id
            GROUP BY w.term, d.id, d.locale, d.audience, l.len
            RETURNING term, article_id, doc_len
        ), delta AS (
            SELECT term, count(*) AS df, 0::bigint AS tokens FROM posts GROUP BY term
            UNION ALL
            SELECT '', count(*), sum(doc_len) FROM (SELECT DISTINCT article_id, doc_len FROM posts) d
            HAVING count(*) > 0
        )
        INSERT INTO kb_search_term AS s (term, df, tokens)
        SELECT term, df, tokens FROM delta ORDER BY term
        ON CONFLICT (term) DO UPDATE SET df = s.df + excluded.df, tokens = s.tokens + excluded.tokens;
    END
    $fn$
    """,
    # Statement-level triggers: a bulk insert of 500 articles reindexes them in
    # one call. An UPDATE only reindexes rows whose searchable fields changed
    # (a view counter going up costs nothing).
    """
    CREATE FUNCTION kb_search_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM kb_search_reindex(ARRAY(SELECT id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM kb_search_reindex(ARRAY(SELECT id FROM old_rows));
        ELSE
            PERFORM kb_search_reindex(ARRAY(
                SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.title_norm, n.body_norm, n.status, n.visibility, n.locale)
                      IS DISTINCT FROM
                      (o.title_norm, o.body_norm, o.status, o.visibility, o.locale)
            ));
        END IF;
        RETURN NULL;
    END
    $fn$
    """,
    "CREATE TRIGGER kb_search_sync_ins AFTER INSERT ON knowledge_base_article "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kb_search_sync()",
    "CREATE TRIGGER kb_search_sync_del AFTER DELETE ON knowledge_base_article "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kb_search_sync()",
    "CREATE TRIGGER kb_search_sync_upd AFTER UPDATE ON knowledge_base_article "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION kb_search_sync()",
    # Django's test flush empties the article table with TRUNCATE.
    """
    CREATE FUNCTION kb_search_clear() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
        TRUNCATE kb_search_posting, kb_search_term;
        RETURN NULL;
    END
    $fn$
    """,
    "CREATE TRIGGER kb_search_clear AFTER TRUNCATE ON knowledge_base_article "
    "FOR EACH STATEMENT EXECUTE FUNCTION kb_search_clear()",
    # Index what is already there.
    "SELECT kb_search_reindex(ARRAY(SELECT id FROM knowledge_base_article))",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS kb_search_clear ON knowledge_base_article",
    "DROP FUNCTION IF EXISTS kb_search_clear()",
    "DROP TRIGGER IF EXISTS kb_search_sync_upd ON knowledge_base_article",
    "DROP TRIGGER IF EXISTS kb_search_sync_del ON knowledge_base_article",
    "DROP TRIGGER IF EXISTS kb_search_sync_ins ON knowledge_base_article",
    "DROP FUNCTION IF EXISTS kb_search_sync()",
    "DROP FUNCTION IF EXISTS kb_search_reindex(bigint[])",
    "DROP TABLE IF EXISTS kb_search_term",
    "DROP TABLE IF EXISTS kb_search_posting",
]

SQLITE = [
    "CREATE VIRTUAL TABLE kb_article_fts_vocab USING fts5vocab(kb_article_fts, 'row')",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS kb_article_fts_vocab"]

BY_VENDOR = {"postgresql": (POSTGRES, POSTGRES_REVERSE), "sqlite": (SQLITE, SQLITE_REVERSE)}


def forwards(apps: Any, schema_editor: Any) -> None:
    for statement in BY_VENDOR.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(statement, params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    for statement in BY_VENDOR.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0002_search_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
