"""Contacts' team arrays (PostgreSQL only): the agent's slice as an indexed column.

An agent sees the contacts of their teams' tickets (`helpdesk.staff.access.
visible_contacts`: a ticket with no team makes its contact visible to no agent; a
merged contact stays visible through whatever tickets still point at it; merged
ones are left out by the callers, not by the rule). `helpdesk_contact.team_ids`
holds exactly that: the distinct non-null `team_id`s of the tickets whose
`contact_id` is the contact, kept by triggers on `helpdesk_ticket`, with a GIN
index so `team_ids && ARRAY[...]` meets a search's or a filter's own index in
one BitmapAnd (`helpdesk.crm.visibility.readable_contacts`), and a partial index
on the ids of contacts that have a team serves an agent's newest-first list.

It is not a model field (SQLite has no arrays; there the rule stays a subquery):
Django never writes it, inserts leave it to its default, and only the triggers
below change it.

* after INSERT of a ticket with a team: append the team when missing (a `WHERE`
  that writes nothing when it is already there: ingest is a hot path);
* after UPDATE, only when `team_id` or `contact_id` really changed (bulk
  `.update()`, a team deleted (SET NULL), a contact merge): recompute the old
  and the new contact;
* after DELETE of a ticket with a team: recompute its contact.

The triggers are created before the backfill, in the migration's transaction:
`CREATE TRIGGER` locks the tickets against writes until commit, so no ticket
written meanwhile is missed. `RESYNC` (one set-based UPDATE) is the backfill and
also repairs every contact whose array differs from the rule.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

COLUMN = "ALTER TABLE helpdesk_contact ADD COLUMN team_ids bigint[] NOT NULL DEFAULT '{}'"

# Each function first locks the contact's row, then reads the tickets in a new
# statement (a new snapshot under READ COMMITTED): two transactions changing one
# contact's tickets at once take turns, and the second sees what the first wrote.
# Without the lock, an insert that found its team already there (and wrote
# nothing) could race a recompute that did not see the new ticket yet.
FUNCTIONS = """
CREATE FUNCTION helpdesk_contact_team_ids_recompute(cid bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM helpdesk_contact WHERE id = cid FOR NO KEY UPDATE;
    UPDATE helpdesk_contact AS c SET team_ids = want.ids
    FROM (
        SELECT coalesce(array_agg(DISTINCT t.team_id ORDER BY t.team_id), '{}') AS ids
        FROM helpdesk_ticket AS t
        WHERE t.contact_id = cid AND t.team_id IS NOT NULL
    ) AS want
    WHERE c.id = cid AND NOT (c.team_ids @> want.ids AND want.ids @> c.team_ids);
END $$;

CREATE FUNCTION helpdesk_ticket_team_ids_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    have bigint[];
BEGIN
    SELECT team_ids INTO have FROM helpdesk_contact
    WHERE id = NEW.contact_id FOR NO KEY UPDATE;
    IF NOT have @> ARRAY[NEW.team_id] THEN
        UPDATE helpdesk_contact SET team_ids = team_ids || NEW.team_id
        WHERE id = NEW.contact_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION helpdesk_ticket_team_ids_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM helpdesk_contact_team_ids_recompute(OLD.contact_id);
    IF NEW.contact_id IS DISTINCT FROM OLD.contact_id THEN
        PERFORM helpdesk_contact_team_ids_recompute(NEW.contact_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION helpdesk_ticket_team_ids_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM helpdesk_contact_team_ids_recompute(OLD.contact_id);
    RETURN NULL;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER helpdesk_ticket_team_ids_insert AFTER INSERT ON helpdesk_ticket
    FOR EACH ROW WHEN (NEW.team_id IS NOT NULL)
    EXECUTE FUNCTION helpdesk_ticket_team_ids_insert();

CREATE TRIGGER helpdesk_ticket_team_ids_update
    AFTER UPDATE OF team_id, contact_id ON helpdesk_ticket
    FOR EACH ROW WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id
                       OR OLD.contact_id IS DISTINCT FROM NEW.contact_id)
    EXECUTE FUNCTION helpdesk_ticket_team_ids_update();

CREATE TRIGGER helpdesk_ticket_team_ids_delete AFTER DELETE ON helpdesk_ticket
    FOR EACH ROW WHEN (OLD.team_id IS NOT NULL)
    EXECUTE FUNCTION helpdesk_ticket_team_ids_delete();
"""

# Every contact whose array is not the rule's gets the rule's (ordered); the rest
# are not written. Contacts without a ticket with a team are only visited when
# their array is not empty.
RESYNC = """
WITH want AS (
    SELECT contact_id, array_agg(DISTINCT team_id ORDER BY team_id) AS ids
    FROM helpdesk_ticket WHERE team_id IS NOT NULL GROUP BY contact_id
), fix AS (
    SELECT c.id, coalesce(w.ids, '{}') AS ids
    FROM helpdesk_contact AS c LEFT JOIN want AS w ON w.contact_id = c.id
    WHERE w.contact_id IS NOT NULL OR c.team_ids <> '{}'
)
UPDATE helpdesk_contact AS c SET team_ids = fix.ids
FROM fix
WHERE c.id = fix.id AND NOT (c.team_ids @> fix.ids AND fix.ids @> c.team_ids)
"""

# The slice's bitmap. No pending list (`fastupdate`): every contact insert (an
# import's too) would add to it and every agent's query would read all of it; an
# array of one or two teams costs a direct insert of one or two keys.
INDEX = (
    "CREATE INDEX helpdesk_contact_team_ids_gin ON helpdesk_contact "
    "USING gin (team_ids) WITH (fastupdate = off)"
)
# An agent's newest-first list walks the contacts that have a team only: an
# import's contacts (no tickets) pile up at the top of the primary key, and a
# walk past 100,000 of them took 25 ms (0.2 ms through this index).
WITH_TEAM = (
    "CREATE INDEX helpdesk_contact_with_team_idx ON helpdesk_contact (id) WHERE team_ids <> '{}'"
)

DROP = """
DROP TRIGGER IF EXISTS helpdesk_ticket_team_ids_insert ON helpdesk_ticket;
DROP TRIGGER IF EXISTS helpdesk_ticket_team_ids_update ON helpdesk_ticket;
DROP TRIGGER IF EXISTS helpdesk_ticket_team_ids_delete ON helpdesk_ticket;
DROP FUNCTION IF EXISTS helpdesk_ticket_team_ids_insert();
DROP FUNCTION IF EXISTS helpdesk_ticket_team_ids_update();
DROP FUNCTION IF EXISTS helpdesk_ticket_team_ids_delete();
DROP FUNCTION IF EXISTS helpdesk_contact_team_ids_recompute(bigint);
ALTER TABLE helpdesk_contact DROP COLUMN IF EXISTS team_ids;
"""


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(COLUMN)
    schema_editor.execute(FUNCTIONS)
    schema_editor.execute(TRIGGERS)
    schema_editor.execute(RESYNC)
    schema_editor.execute(INDEX)
    schema_editor.execute(WITH_TEAM)
    # The planner's statistics for the new column (element frequencies for `&&`).
    schema_editor.execute("ANALYZE helpdesk_contact")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0020_crm_scale_indexes")]

    operations = [migrations.RunPython(create, drop)]
