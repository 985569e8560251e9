"""PostgreSQL backend: a 'simple' tsvector over the normalized text, plus pg_trgm.

Migration 0002 (only on PostgreSQL) adds the generated column `search_vector`
(title weight A, body weight B) with a GIN index, and a trigram GIN index on
the normalized title so partial words and typos in titles still find the
article. The app normalizes text itself: PostgreSQL has no Persian dictionary.

ts_rank knows nothing of how rare a word is, so a long question's common words
drown its telling ones. The backend first counts, per term, how many articles
hold it (one GIN lookup each), drops terms found in more than a fifth of the
articles, and scores the rest by inverse document frequency, a title match
counting three times a body match (a BM25-like score with binary term counts).
"""

from __future__ import annotations

import math

from django.db import connection

from knowledge_base.search.base import SearchQuery, filter_sql

TRIGRAM_WEIGHT = 0.5
TITLE_BOOST = 3.0
COMMON = 0.2  # terms in more than this share of the articles are dropped


def _tsquery_term(term: str, prefix: bool) -> str:
    return "'" + term.replace("'", "''") + "'" + (":*" if prefix else "")


def _weighted_terms(query: SearchQuery, where: str, params: list[str]) -> list[tuple[str, float]]:
    """(tsquery term, idf) of the query's terms that are rare enough to rank by."""
    last = len(query.terms) - 1
    items = [
        _tsquery_term(t, query.prefix_last and i == last and len(t) >= 2)
        for i, t in enumerate(query.terms)
    ]
    # Counting stops past the "common" cut-off: a frequent word costs no more than a rare one.
    sql = (
        "WITH n AS (SELECT count(*) AS n FROM knowledge_base_article a "  # noqa: S608
        f"WHERE {where}) SELECT t, (SELECT count(*) FROM (SELECT 1 FROM knowledge_base_article a "
        f"WHERE a.search_vector @@ to_tsquery('simple', t) AND {where} "
        f"LIMIT (SELECT ceil(n * {COMMON}) + 1 FROM n)) s), (SELECT n FROM n) "
        "FROM unnest(%s::text[]) AS t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params, items])
        rows = cursor.fetchall()
    found = [(t, int(df), max(1, int(n))) for t, df, n in rows if df]
    rare = [row for row in found if row[1] <= COMMON * row[2]] or found
    return [(t, math.log(1 + n / df)) for t, df, n in rare]


class PostgresBackend:
    def search(self, query: SearchQuery) -> list[tuple[int, float]]:
        if not query.terms:
            return []
        where, params = filter_sql(query)
        weighted = _weighted_terms(query, where, params)
        plain = " ".join(query.terms)
        # One GIN lookup per (term, field): the work follows the postings of the
        # query's rare terms instead of re-reading every candidate's vector.
        branch = (
            "SELECT a.id, %s::float8 AS w FROM knowledge_base_article a "  # noqa: S608
            f"WHERE a.search_vector @@ to_tsquery('simple', %s) AND {where}"
        )
        branches: list[str] = []
        args: list[str | float] = []
        for term, idf in weighted:
            title_term = term[:-2] + ":*A" if term.endswith(":*") else term + ":A"
            branches += [branch, branch]
            args += [idf * TITLE_BOOST, title_term, *params, idf, term, *params]
        branches.append(
            f"SELECT a.id, {TRIGRAM_WEIGHT} * word_similarity(%s, a.title_norm) AS w "  # noqa: S608
            f"FROM knowledge_base_article a WHERE %s <% a.title_norm AND {where}"
        )
        args += [plain, plain, *params]
        sql = (
            "SELECT id, sum(w) AS s FROM ("  # noqa: S608
            + " UNION ALL ".join(branches)
            + ") hits GROUP BY id ORDER BY s DESC, id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("<%", "<%%"), [*args, query.limit])
            return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]
