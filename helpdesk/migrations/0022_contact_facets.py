"""Contact facets (issue 19): side tables of the contacts' tags and attribute values,
kept by PostgreSQL triggers, so a broad segment count is an index-only scan.

`helpdesk_contact_tag(contact_id, tag)` and `helpdesk_contact_attr(contact_id, key,
value, large_value)` hold one row per tag / attribute of every UNMERGED contact;
btree indexes `(tag, contact_id)` and `(key, value, contact_id)` answer
`helpdesk.crm.facets` without reading the contacts table. Statement-level triggers
with transition tables keep them exact through every write (an import's
multi-row INSERT / UPDATE stays one set-based statement); TRUNCATE empties them.
PostgreSQL only: SQLite keeps counting from the contacts themselves.

Only what a filter can ask for is kept: top-level string tags of at most 50
characters (`normalize_tags` cuts a query's tag there) and attribute keys of at
most 50 (the filters' key pattern). An attribute value over 1,500 bytes would not
fit a btree entry (about 2,700 bytes at most): it goes to `large_value`, out of the
covering index, and the count reads it from a small partial index.

The migration locks writers out of helpdesk_contact while it fills the tables
(readers go on), then VACUUMs them outside its transaction so index-only scans
find all-visible pages at once (docs/contacts.md, "Segment counts").
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# The facets of the contacts `r` in {rel} (the table or a transition table).
_TAGS = """
SELECT DISTINCT r.id, x.elem #>> '{{}}'
FROM {rel}
CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(r.tags) = 'array' THEN r.tags ELSE '[]'::jsonb END) AS x(elem)
WHERE r.merged_into_id IS NULL AND jsonb_typeof(x.elem) = 'string'
  AND char_length(x.elem #>> '{{}}') <= 50 {extra}
"""
_ATTRS = """
SELECT r.id, a.key,
       CASE WHEN pg_column_size(a.value) <= 1500 THEN a.value END,
       CASE WHEN pg_column_size(a.value) > 1500 THEN a.value END
FROM {rel}
CROSS JOIN LATERAL jsonb_each(
    CASE WHEN jsonb_typeof(r.custom_attributes) = 'object' THEN r.custom_attributes
         ELSE '{{}}'::jsonb END) AS a(key, value)
WHERE r.merged_into_id IS NULL AND char_length(a.key) <= 50 {extra}
"""
_INSERT_TAGS = "INSERT INTO helpdesk_contact_tag (contact_id, tag) "
_INSERT_ATTRS = "INSERT INTO helpdesk_contact_attr (contact_id, key, value, large_value) "
_ON_TAG = " ON CONFLICT DO NOTHING"
_ON_ATTR = (
    " ON CONFLICT (contact_id, key) DO UPDATE"
    " SET value = EXCLUDED.value, large_value = EXCLUDED.large_value"
)


def _differs(field: str, this: str, other: str) -> str:
    """Whether the row `this` of one transition table may have other facets in `field`
    than its row `other` in the other one (absent, merged, or another value)."""
    return (
        f"({other}.id IS NULL OR {other}.merged_into_id IS NOT NULL "
        f"OR {other}.{field} IS DISTINCT FROM {this}.{field})"
    )


def _update_body() -> str:
    """Rewrite the facets of the contacts whose tags, attributes or merged state changed."""
    statements = []
    for table, field, facets, insert, conflict in (
        ("helpdesk_contact_tag", "tags", _TAGS, _INSERT_TAGS, _ON_TAG),
        ("helpdesk_contact_attr", "custom_attributes", _ATTRS, _INSERT_ATTRS, _ON_ATTR),
    ):
        statements.append(  # constants only: no value is interpolated
            f"DELETE FROM {table} t USING (SELECT o.id FROM old_rows o "  # noqa: S608
            "LEFT JOIN new_rows n ON n.id = o.id "
            f"WHERE o.merged_into_id IS NULL AND {_differs(field, 'o', 'n')}) c "
            "WHERE t.contact_id = c.id;"
        )
        rel = "new_rows r LEFT JOIN old_rows o ON o.id = r.id"
        extra = f"AND {_differs(field, 'r', 'o')}"
        statements.append(insert + facets.format(rel=rel, extra=extra) + conflict + ";")
    return "\n".join(statements)


def _function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$$;"
    )


_INSERT_BODY = (
    _INSERT_TAGS
    + _TAGS.format(rel="new_rows r", extra="")
    + _ON_TAG
    + ";\n"
    + _INSERT_ATTRS
    + _ATTRS.format(rel="new_rows r", extra="")
    + _ON_ATTR
    + ";"
)
_DELETE_BODY = (
    "DELETE FROM helpdesk_contact_tag WHERE contact_id IN (SELECT id FROM old_rows);\n"
    "DELETE FROM helpdesk_contact_attr WHERE contact_id IN (SELECT id FROM old_rows);"
)
_TRUNCATE_BODY = "TRUNCATE helpdesk_contact_tag, helpdesk_contact_attr;"

FORWARD = [
    # Writers wait (readers do not) until the tables are filled and the triggers are in.
    "LOCK TABLE helpdesk_contact IN SHARE ROW EXCLUSIVE MODE",
    "CREATE TABLE helpdesk_contact_tag (contact_id bigint NOT NULL, tag text NOT NULL)",
    "CREATE TABLE helpdesk_contact_attr (contact_id bigint NOT NULL, key text NOT NULL, "
    "value jsonb, large_value jsonb)",
    _INSERT_TAGS + _TAGS.format(rel="helpdesk_contact r", extra=""),
    _INSERT_ATTRS + _ATTRS.format(rel="helpdesk_contact r", extra=""),
    "ALTER TABLE helpdesk_contact_tag ADD PRIMARY KEY (contact_id, tag)",
    "ALTER TABLE helpdesk_contact_attr ADD PRIMARY KEY (contact_id, key)",
    "CREATE INDEX helpdesk_contact_tag_count ON helpdesk_contact_tag (tag, contact_id)",
    "CREATE INDEX helpdesk_contact_attr_count ON helpdesk_contact_attr (key, value, contact_id)",
    # Without it the planner multiplies the key's and the value's frequencies (half the
    # estimate for `plan = gold` at a million contacts) and skips a parallel scan.
    "CREATE STATISTICS helpdesk_contact_attr_key_value (mcv) ON key, value "
    "FROM helpdesk_contact_attr",
    "CREATE INDEX helpdesk_contact_attr_large ON helpdesk_contact_attr (key) "
    "WHERE large_value IS NOT NULL",
    _function("helpdesk_contact_facets_insert", _INSERT_BODY),
    _function("helpdesk_contact_facets_update", _update_body()),
    _function("helpdesk_contact_facets_delete", _DELETE_BODY),
    _function("helpdesk_contact_facets_truncate", _TRUNCATE_BODY),
    "CREATE TRIGGER helpdesk_contact_facets_insert AFTER INSERT ON helpdesk_contact "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION helpdesk_contact_facets_insert()",
    "CREATE TRIGGER helpdesk_contact_facets_update AFTER UPDATE ON helpdesk_contact "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION helpdesk_contact_facets_update()",
    "CREATE TRIGGER helpdesk_contact_facets_delete AFTER DELETE ON helpdesk_contact "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION helpdesk_contact_facets_delete()",
    "CREATE TRIGGER helpdesk_contact_facets_truncate AFTER TRUNCATE ON helpdesk_contact "
    "FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_contact_facets_truncate()",
]

REVERSE = [
    *(
        f"DROP TRIGGER IF EXISTS helpdesk_contact_facets_{op} ON helpdesk_contact"
        for op in ("insert", "update", "delete", "truncate")
    ),
    *(
        f"DROP FUNCTION IF EXISTS helpdesk_contact_facets_{op}()"
        for op in ("insert", "update", "delete", "truncate")
    ),
    "DROP TABLE IF EXISTS helpdesk_contact_tag, helpdesk_contact_attr",
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forward(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, FORWARD)


def reverse(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, REVERSE)


def vacuum(apps: Any, schema_editor: Any) -> None:
    """Mark the filled tables' pages all-visible (index-only scans need it) and give the
    planner their statistics; VACUUM cannot run inside a transaction, so a migrate run
    inside one (a test's) only analyzes them."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} helpdesk_contact_tag, helpdesk_contact_attr")


class Migration(migrations.Migration):
    # Not atomic only for the VACUUM: the tables, their filling and the triggers are one
    # transaction (RunPython atomic=True).
    atomic = False

    dependencies = [("helpdesk", "0021_contact_team_ids")]

    operations = [
        migrations.RunPython(forward, reverse, atomic=True),
        migrations.RunPython(vacuum, migrations.RunPython.noop, atomic=False),
    ]
