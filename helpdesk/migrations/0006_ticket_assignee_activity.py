"""The "mine" list: an assignee's tickets newest first, read in index order.

`status IN ('new', 'open')` cannot be read in order from (assignee, status, ...),
so PostgreSQL fetched every matching ticket of the agent, joined each to its
contact and sorted them (10 ms at a million tickets). With (assignee,
-last_message_at, -id) it walks the agent's tickets newest first and stops at
the page size (0.4 ms), but only when it knows that an agent's tickets belong
to the agent's teams: without the dependency statistics it multiplies the two
selectivities, expects a few dozen rows and keeps the sort. Both live outside
the model state, like the trigram indexes of 0003.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEX = "ticket_assignee_activity_idx"
STATISTICS = "ticket_assignee_team_stats"


def create(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} "
        "ON helpdesk_ticket (assignee_id, last_message_at DESC, id DESC)"
    )
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (dependencies) "
        "ON assignee_id, team_id FROM helpdesk_ticket"
    )
    # The planner uses new statistics only once the table has been analysed.
    schema_editor.execute("ANALYZE helpdesk_ticket")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0005_ticket_unassigned_index")]
    operations = [migrations.RunPython(create, drop)]
