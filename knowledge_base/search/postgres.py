"""PostgreSQL backend: BM25 over an inverted index of its own, plus pg_trgm.

Migration 0003 keeps `kb_search_posting` (one row per term and published
article: the term's count in the title and in the body, the article's length)
and `kb_search_term` (each term's document frequency; its '' row the number of
published articles and their total length) in sync with the articles through
triggers. A search is two queries:

1. the document frequencies of the query's terms (and, while the customer is
   still typing, of the most frequent words the last one begins), one primary
   key lookup each;
2. BM25 exactly as SQLite's FTS5 computes it (term counts weighted per field,
   length normalization), summed over the postings of the rare terms only,
   which one covering index serves without touching the article table.

Short queries (a title typed with a typo) also match titles by trigram
similarity; long questions skip that costly branch, their words do the work.
The app normalizes text itself: PostgreSQL has no Persian dictionary.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from knowledge_base.search.base import (
    BM25_B,
    BM25_K1,
    BODY_WEIGHT,
    TITLE_WEIGHT,
    Audience,
    SearchQuery,
    bm25_idf,
    filter_sql,
    rare_terms,
)

TRIGRAM_WEIGHT = 0.5
TRIGRAM_MAX_TERMS = 3  # queries with more terms skip the title trigram branch
PREFIX_EXPANSIONS = 16  # the most frequent words a typed prefix stands for

_STATS_SQL = "SELECT term, df, tokens FROM kb_search_term WHERE term = ANY(%s::text[])"
_PREFIX_SQL = (
    "SELECT term, df, tokens FROM kb_search_term "
    'WHERE term >= %s COLLATE "C" AND term < %s COLLATE "C" AND df > 0 '
    "ORDER BY df DESC LIMIT %s"
)
_TF = f"(p.title_tf * {TITLE_WEIGHT}::float8 + p.body_tf * {BODY_WEIGHT}::float8)"
_BM25_SQL = (
    f"SELECT p.article_id AS id, sum(q.idf * {_TF} * {BM25_K1 + 1}::float8 / ({_TF} + "  # noqa: S608
    f"{BM25_K1}::float8 * ({1 - BM25_B}::float8 + {BM25_B}::float8 * p.doc_len / %s::float8)))"
    " AS s FROM unnest(%s::text[], %s::float8[]) AS q(term, idf) "
    'JOIN kb_search_posting p ON p.term = q.term COLLATE "C" '
    "WHERE p.audience >= %s{locale} GROUP BY p.article_id"
)
_TRIGRAM_SQL = (
    f"SELECT a.id, {TRIGRAM_WEIGHT}::float8 * word_similarity(%s, a.title_norm) AS s "  # noqa: S608
    "FROM knowledge_base_article a WHERE %s <%% a.title_norm AND {where}"
)


def _term_stats(query: SearchQuery) -> tuple[dict[str, int], list[str], int, float]:
    """(df per term, the terms to look up, article count, average length)."""
    terms = list(query.terms)
    args: list[Any]
    sql, args = _STATS_SQL, [["", *terms]]  # '' = the article count and total length
    prefix = terms[-1] if query.prefix_last and len(terms[-1]) >= 2 else ""
    if prefix:
        sql = f"({sql}) UNION ALL ({_PREFIX_SQL})"
        args += [prefix, prefix + "\U0010ffff", PREFIX_EXPANSIONS]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    df = {str(term): int(count) for term, count, _tokens in rows}
    tokens = next((int(t) for term, _count, t in rows if term == ""), 0)
    n = df.pop("", 0)
    if prefix:  # the typed word itself, then what it may become
        terms += [str(term) for term, _c, _t in rows if str(term).startswith(prefix)]
        terms = list(dict.fromkeys(terms))
    return df, terms, n, tokens / n if n else 1.0


class PostgresBackend:
    def search(self, query: SearchQuery) -> list[tuple[int, float]]:
        if not query.terms:
            return []
        df, terms, n, avgdl = _term_stats(query)
        ranked = rare_terms(terms, df, n)
        audience = 2 if query.audience == Audience.PUBLIC else 1
        branches: list[str] = []
        args: list[Any] = []
        if ranked:
            branches.append(_BM25_SQL.format(locale=" AND p.locale = %s" if query.locale else ""))
            args += [avgdl, ranked, [bm25_idf(df[t], n) for t in ranked], audience]
            args += [query.locale] if query.locale else []
        if len(query.terms) <= TRIGRAM_MAX_TERMS:
            where, params = filter_sql(query)
            branches.append(_TRIGRAM_SQL.format(where=where))
            plain = " ".join(query.terms)
            args += [plain, plain, *params]
        if not branches:
            return []
        if len(branches) == 1:
            sql = branches[0] + " ORDER BY s DESC, id LIMIT %s"
        else:
            sql = (
                "SELECT id, sum(s) AS s FROM ("  # noqa: S608
                + " UNION ALL ".join(branches)
                + ") hits GROUP BY id ORDER BY s DESC, id LIMIT %s"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*args, query.limit])
            return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]
