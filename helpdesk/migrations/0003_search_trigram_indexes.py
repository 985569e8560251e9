"""Trigram indexes for the ticket search on PostgreSQL.

The search is `icontains`, which Django writes as UPPER(col::text) LIKE UPPER(%q%);
GIN trigram indexes on exactly those expressions let PostgreSQL answer it from
the index instead of scanning every message. pg_trgm needs a UTF-8 ctype to see
Persian letters (helpdesk.E001 checks it). SQLite has no such index and skips this.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = [
    ("helpdesk_message_text_trgm", "helpdesk_message", "text"),
    ("helpdesk_ticket_subject_trgm", "helpdesk_ticket", "subject"),
    ("helpdesk_contact_name_trgm", "helpdesk_contact", "name"),
    ("helpdesk_identity_address_trgm", "helpdesk_contactidentity", "address"),
]


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0002_automation")]
    operations = [migrations.RunPython(create, drop)]
