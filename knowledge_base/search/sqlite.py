"""SQLite FTS5 backend: an external-content table over the normalized columns.

The table and the triggers that keep it in sync are created by migration 0002
(only on SQLite). bm25() weights the title column ten times the body.
"""

from __future__ import annotations

from django.db import connection

from knowledge_base.search.base import SearchQuery, filter_sql

TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0


def match_expression(query: SearchQuery) -> str:
    """An FTS5 MATCH string: every term quoted, OR-ed, the last one as a prefix."""
    parts = ['"' + term.replace('"', '""') + '"' for term in query.terms]
    if parts and query.prefix_last and len(query.terms[-1]) >= 2:
        parts[-1] += "*"
    return " OR ".join(parts)


class SqliteBackend:
    def search(self, query: SearchQuery) -> list[tuple[int, float]]:
        if not query.terms:
            return []
        where, params = filter_sql(query)
        rank = f"bm25(kb_article_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})"
        sql = (
            f"SELECT a.id, -{rank} FROM kb_article_fts "  # noqa: S608 (constants only)
            "JOIN knowledge_base_article a ON a.id = kb_article_fts.rowid "
            f"WHERE kb_article_fts MATCH %s AND {where} ORDER BY {rank} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match_expression(query), *params, query.limit])
            return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]
