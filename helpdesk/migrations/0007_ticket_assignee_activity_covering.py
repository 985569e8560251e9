"""The "mine" index of 0006 carries team and status, so the list reads it alone.

The list now finds its page as ids first (no joins) and reads the rows after.
Without joins to cost, PostgreSQL preferred AND-ing (assignee, status, ...) with
the team index (50,000 entries per team) and sorting the agent's thousand
tickets (3.4 ms at a million tickets) to walking (assignee, -last_message_at,
-id) and fetching each ticket to test its status and team. With team and status
in the index the walk is an index-only scan that stops at the page size
(0.05 ms), and the planner sees it.

PostgreSQL only (INCLUDE); SQLite keeps the plain index of 0006.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEX = "ticket_assignee_activity_idx"
COLUMNS = "helpdesk_ticket (assignee_id, last_message_at DESC, id DESC)"


def covering(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {COLUMNS} INCLUDE (team_id, status)")


def plain(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {COLUMNS}")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0006_ticket_assignee_activity")]
    operations = [migrations.RunPython(covering, plain)]
