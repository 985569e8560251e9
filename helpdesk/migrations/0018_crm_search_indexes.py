"""Contacts search and segments at scale: backfill `search_name`, PostgreSQL indexes.

`search_name` is the normalized name (helpdesk.normalize), matched with LIKE
'%q%' through a trigram index; tags and custom attributes are filtered with JSON
containment (`@>`), answered by GIN jsonb_path_ops indexes. SQLite skips them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from helpdesk.normalize import normalize

INDEXES = [
    (
        "helpdesk_contact_search_name_trgm",
        "helpdesk_contact USING gin (search_name gin_trgm_ops)",
    ),
    ("helpdesk_contact_tags_gin", "helpdesk_contact USING gin (tags jsonb_path_ops)"),
    (
        "helpdesk_contact_attrs_gin",
        "helpdesk_contact USING gin (custom_attributes jsonb_path_ops)",
    ),
    (
        "helpdesk_identity_contact_kind",
        "helpdesk_contactidentity (contact_id, kind)",
    ),
]


def backfill(apps: Any, schema_editor: Any) -> None:
    contact_model = apps.get_model("helpdesk", "Contact")
    last = 0
    while True:
        rows = list(contact_model.objects.filter(pk__gt=last).order_by("pk")[:2000])
        if not rows:
            break
        for row in rows:
            row.search_name = normalize(row.name)[:200]
        contact_model.objects.bulk_update(rows, ["search_name"])
        last = rows[-1].pk


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _target in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0017_crm")]
    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create, drop),
    ]
