"""Autovacuum for the facet tables after 1 % of their rows change (PostgreSQL only).

Segment counts read the facet tables by index-only scans (0022), which need their
pages marked all-visible. PostgreSQL's default waits for 20 % of a table to change
(400,000 attribute rows at a million contacts) before it vacuums; until then every
page a write touched is read from the table again (docs/contacts.md). An import
vacuums them itself when it finishes (`helpdesk.crm.facets.tidy`); this covers
everyday edits.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLES = ("helpdesk_contact_tag", "helpdesk_contact_attr")
OPTIONS = (
    "autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01, "
    "autovacuum_analyze_scale_factor = 0.02"
)
NAMES = (
    "autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor, "
    "autovacuum_analyze_scale_factor"
)


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET ({OPTIONS})")


def reverse(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET ({NAMES})")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0022_contact_facets")]

    operations = [migrations.RunPython(forward, reverse)]
