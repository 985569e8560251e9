"""The contacts a user may see, for the CRM's lists and counts: one hook to tune.

`helpdesk.staff.access.visible_contacts` is the rule (an agent sees the contacts of
their teams' tickets). On PostgreSQL an agent's slice is read from
`helpdesk_contact.team_ids`: the distinct non-null team ids of the contact's
tickets, kept by triggers on `helpdesk_ticket` and indexed with GIN (migration
`helpdesk/0021_contact_team_ids`, docs/contacts.md). `team_ids && ARRAY[teams]`
is a bitmap the planner ANDs with a search's or a filter's own index, so a broad
word or tag that none of the slice's contacts has costs two index scans, not a
walk of the slice (10,000 primary-key probes before, 80 - 100 ms at a million
contacts).

The array is a design decision: an index-like column that PostgreSQL keeps in
step with the tickets itself, so no action (ingest, moves, merges, bulk updates,
a team's deletion) can forget it. It is not a model field: SQLite has no arrays
and keeps the rule's subquery (`id IN (contacts of the team's tickets)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from helpdesk.models import Contact
from helpdesk.staff.access import AnyUser, is_admin, team_ids, visible_contacts


class InTeams(Expression):
    """`<contact>.team_ids && ARRAY[teams]::bigint[]` (PostgreSQL; the GIN index answers).

    `team_ids` is not a model field, so this expression keeps the contacts table's
    alias itself (and follows it when the query becomes a subquery: `U0`).
    """

    output_field = BooleanField()

    def __init__(self, teams: set[int], alias: str | None = None) -> None:
        super().__init__()
        self.teams = sorted(teams)
        self.alias = alias

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: Any = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> InTeams:
        return InTeams(set(self.teams), query.get_initial_alias())

    def relabeled_clone(self, change_map: Mapping[str, str]) -> InTeams:
        alias = change_map.get(self.alias, self.alias) if self.alias else None
        return InTeams(set(self.teams), alias)

    def get_group_by_cols(self) -> list[Any]:
        return []

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column = f'{compiler.quote_name(self.alias or "")}."team_ids"'
        # Both other conditions are implied by the overlap (they never change the
        # rows) and are there for the planner. `<> '{}'` is the predicate of the
        # partial index `helpdesk_contact_with_team_idx`: a newest-first list walks
        # only contacts that have a team (0.2 ms, where the primary key's walk past
        # an import's 100,000 contacts took 25 ms). `cardinality(...) > 0` multiplies
        # in the planner's default 1/3 for an expression it has no statistics on:
        # it treats the slice and a filter as independent, so for a broad filter
        # none of the slice matches (tag vip: 1 % of the contacts times 10 %) it
        # expected a page among the newest contacts, walked the whole table instead
        # of ANDing the two bitmaps, and took 0.4 - 1 s; nudged, it ANDs them (9 ms).
        sql = f"({column} && %s::bigint[] AND {column} <> '{{}}' AND cardinality({column}) > 0)"
        return sql, (self.teams,)


def readable_contacts(user: AnyUser) -> QuerySet[Contact]:
    """Exactly `visible_contacts(user)`, in the shape PostgreSQL answers fastest."""
    if is_admin(user) or connection.vendor != "postgresql":
        return visible_contacts(user)
    teams = team_ids(user)
    if not teams:
        return visible_contacts(user)
    return Contact.objects.filter(InTeams(teams))
