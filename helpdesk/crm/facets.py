"""Segment counts from the contacts' facet tables (PostgreSQL; issue 19).

A segment of a tag or an attribute value can hold a quarter of a million
contacts. Counting them from `helpdesk_contact` reads every member's row: the GIN
index on the JSON is lossy and an expression index allows no index-only scan, so
at a million contacts the count copies the whole table through shared buffers
(docs/BENCHMARKS.md, "Contacts at a million"). Migration 0022 keeps two side
tables, filled by PostgreSQL triggers on every insert, update, delete and
truncate of contacts (so the import's set-based statements stay set-based and no
code path can forget them):

* `helpdesk_contact_tag(contact_id, tag)`, btree `(tag, contact_id)`;
* `helpdesk_contact_attr(contact_id, key, value)`, btree `(key, value, contact_id)`.

Both hold only unmerged contacts. Each condition is then one index-only scan of
its btree, and several conditions meet in a merge join on `contact_id` (eq scans
come out sorted; hash joins of a few hundred thousand ids measured 2x slower on
the 2-core VM). The count stays exact and live: the triggers write in the same
transaction as the contact.

The conditions match `helpdesk.crm.filters` exactly:

* a tag is JSON containment of `[tag]` in the tag list: a top-level string element
  equal to the (normalized, at most 50 characters) tag, which is the row's `tag`;
* `eq` is containment of `{key: value}` with a scalar value: the key is there and
  its value is the same JSON scalar (numbers by value, `null` for None), that is
  jsonb equality with the row's `value` (a list or an object at the key never
  equals a scalar, in both);
* `gt` / `gte` / `lt` / `lte` compare `custom_attributes -> key` with the JSON
  value under jsonb's btree order (numbers as numbers, ISO dates as text, and the
  type order null < string < number < boolean < array < object), which is the
  row's `value` under the same operator.

An attribute value too big for a btree entry (over 1,500 bytes, only free-form
JSON written by hand) is kept out of the index (`large_value`); a count whose key
has one falls back to the contacts' query. SQLite has no triggers of this kind
here: it keeps the plain query (`helpdesk.crm.segments`).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, transaction

from helpdesk.crm.filters import ContactFilter, normalize_tags

# For a count over several conditions, measured at a million contacts on the 2-core
# VM (`plan = gold AND seats >= 50`, docs/BENCHMARKS.md): a merge join of the sorted
# id lists (a hash join of a few hundred thousand ids was about 2x slower), no JIT
# (compiling costs more than the count), index-only scans only (the planner's
# parallel sequential scan of the side table read 2.5x the rows), the range
# branch's sort in memory, and one parallel worker: a merge join's inner side is not
# shared, so each worker scans all of it again (two workers: 240 - 260 ms, one:
# 128 - 137 ms, none: 175 ms).
JOIN_SETTINGS = {
    "enable_hashjoin": "off",
    "jit": "off",
    "enable_seqscan": "off",
    "work_mem": "64MB",
    "max_parallel_workers_per_gather": "1",
}

# The filters' operators the attribute table answers, as SQL on its jsonb `value`.
OPERATORS = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def answers(flt: ContactFilter) -> bool:
    """Whether `flt` is counted from the side tables: PostgreSQL, at least one tag or
    attribute condition, and nothing but tags, these attribute comparisons and a
    company."""
    if connection.vendor != "postgresql":
        return False
    if not normalize_tags(flt.tags) and not flt.attributes:
        return False
    rest = flt.model_copy(update={"tags": [], "attributes": [], "company_id": None})
    if rest != ContactFilter():
        return False
    # A comparison with None raises in the contacts' query ("Cannot use None"): keep it.
    return all(c.op in OPERATORS and (c.op == "eq" or c.value is not None) for c in flt.attributes)


def count(flt: ContactFilter) -> int | None:
    """How many unmerged contacts match `flt` (see `answers`), or None when a key it
    compares holds a value too large for the index (the caller counts the contacts)."""
    branches = _branches(flt)
    sql = " JOIN ".join(
        f"({branch}) AS f{i}" + ("" if i == 0 else " USING (contact_id)")
        for i, (branch, _) in enumerate(branches)
    )
    params: list[Any] = [p for _, branch_params in branches for p in branch_params]
    keys = sorted({c.key for c in flt.attributes})
    with transaction.atomic(), connection.cursor() as cursor:
        if keys and _has_large(cursor, keys):
            return None
        saved = _set(cursor, JOIN_SETTINGS) if len(branches) > 1 else None
        cursor.execute(f"SELECT count(*) FROM {sql}", params)  # noqa: S608 (no user text)
        row = cursor.fetchone()
        if saved is not None:  # inside a caller's transaction the settings would outlive us
            _set(cursor, saved)
    return int(row[0]) if row else 0


def _branches(flt: ContactFilter) -> list[tuple[str, list[Any]]]:
    """One `SELECT contact_id` per condition, each an index-only scan."""
    branches: list[tuple[str, list[Any]]] = [
        ("SELECT contact_id FROM helpdesk_contact_tag WHERE tag = %s", [tag])
        for tag in normalize_tags(flt.tags)
    ]
    for cond in flt.attributes:
        op = OPERATORS[cond.op]
        branches.append(
            (
                # `op` comes from OPERATORS; the key and the value are parameters.
                "SELECT contact_id FROM helpdesk_contact_attr WHERE key = %s "  # noqa: S608
                f"AND value {op} %s::jsonb",
                [cond.key, json.dumps(cond.value)],
            )
        )
    if flt.company_id is not None:
        branches.append(
            (
                "SELECT id AS contact_id FROM helpdesk_contact "
                "WHERE company_id = %s AND merged_into_id IS NULL",
                [flt.company_id],
            )
        )
    return branches


def _has_large(cursor: Any, keys: list[str]) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM helpdesk_contact_attr "
        "WHERE key = ANY(%s) AND large_value IS NOT NULL)",
        [keys],
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def _set(cursor: Any, settings: dict[str, str]) -> dict[str, str]:
    """Set `settings` for the rest of the transaction; returns their previous values."""
    names = list(settings)
    cursor.execute(
        "SELECT " + ", ".join(["current_setting(%s)"] * len(names)),  # noqa: S608 (fixed)
        names,
    )
    before = dict(zip(names, (str(v) for v in cursor.fetchone()), strict=True))
    pairs = [p for name in names for p in (name, settings[name])]
    cursor.execute(
        "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(names)),  # noqa: S608
        pairs,
    )
    return before


def tidy() -> None:
    """After a bulk write of contacts (an import): VACUUM the side tables so their
    pages are all-visible again and counts stay index-only.

    An import rewrites the rows of every contact it updates; until a VACUUM marks
    those pages all-visible, an index-only count reads the table too (gold + seats
    >= 50 at a million contacts: 527 ms right after a 50,000-row import, 133 ms
    after the VACUUM). Autovacuum would come later (migration 0023 makes it come
    after 1 % of the rows change); an import knows when it is done. VACUUM cannot
    run inside a transaction: inside one (a test's, a caller's) this does nothing.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) helpdesk_contact_tag, helpdesk_contact_attr")
