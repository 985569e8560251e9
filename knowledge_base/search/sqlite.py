"""SQLite FTS5 backend: an external-content table over the normalized columns.

The table and the triggers that keep it in sync are created by migration 0002
(only on SQLite); migration 0003 adds an fts5vocab table over it. bm25()
weights the title column ten times the body.

FTS5 scores every row that holds any query term, so the cost follows the
common terms' postings. The backend first reads each term's document count
from the vocab table and leaves out the terms held by more than COMMON of the
articles. It then ranks on the FTS table alone and checks the filters
(status, visibility, locale) on a few more rows than asked for; only when too
few of those pass does it rank again joined to the article table.
"""

from __future__ import annotations

from django.db import connection

from knowledge_base.search.base import (
    BODY_WEIGHT,
    TITLE_WEIGHT,
    SearchQuery,
    filter_sql,
    rare_terms,
)

_RANK = f"bm25(kb_article_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})"


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: SearchQuery, terms: list[str] | None = None) -> str:
    """An FTS5 MATCH string: every term quoted, OR-ed, the last one as a prefix.

    `terms` (default: all of the query's) picks which of the query's full words
    to match; a last word still being typed is always matched as a prefix.
    """
    words = list(query.terms if terms is None else terms)
    prefix = query.terms[-1] if query.prefix_last and len(query.terms[-1]) >= 2 else ""
    if prefix:
        words = [w for w in words if w != prefix]
    parts = [_quote(term) for term in words]
    if prefix:
        parts.append(_quote(prefix) + "*")
    return " OR ".join(parts)


def _rare_terms(query: SearchQuery) -> list[str]:
    marks = ", ".join(["%s"] * len(query.terms))
    sql = (
        "SELECT '', count(*) FROM knowledge_base_article UNION ALL "  # noqa: S608
        f"SELECT term, doc FROM kb_article_fts_vocab WHERE term IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(query.terms))
        df = {str(term): int(doc) for term, doc in cursor.fetchall()}
    return rare_terms(query.terms, df, df.pop("", 0))


class SqliteBackend:
    def search(self, query: SearchQuery) -> list[tuple[int, float]]:
        if not query.terms:
            return []
        terms = _rare_terms(query)
        if not terms and not query.prefix_last:
            return []
        match = match_expression(query, terms)
        if not match:
            return []
        where, params = filter_sql(query)
        # Rank on the FTS table alone, then filter: exact whenever at least
        # `limit` of the best `pool` rows pass, or the pool holds every match.
        # The last row (id NULL) tells how many rows the pool holds.
        pool = query.limit * 4 + 20
        fast = (
            f"WITH f AS MATERIALIZED (SELECT rowid, {_RANK} AS s FROM kb_article_fts "  # noqa: S608
            "WHERE kb_article_fts MATCH %s ORDER BY s LIMIT %s) "
            "SELECT * FROM (SELECT a.id, -f.s FROM f "
            f"JOIN knowledge_base_article a ON a.id = f.rowid WHERE {where} "
            "ORDER BY f.s, a.id LIMIT %s) UNION ALL SELECT NULL, count(*) FROM f"
        )
        full = (
            f"SELECT a.id, -{_RANK} AS s FROM kb_article_fts "  # noqa: S608 (constants only)
            "JOIN knowledge_base_article a ON a.id = kb_article_fts.rowid "
            f"WHERE kb_article_fts MATCH %s AND {where} ORDER BY {_RANK}, a.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(fast, [match, pool, *params, query.limit])
            result = cursor.fetchall()
            rows = [row for row in result if row[0] is not None]
            pooled = sum(int(row[1]) for row in result if row[0] is None)
            if len(rows) < query.limit and pooled >= pool:
                cursor.execute(full, [match, *params, query.limit])
                rows = cursor.fetchall()
        return [(int(row[0]), float(row[1])) for row in rows]
