"""What a report is about (period, team scope, dimensions, tag) and the facts it covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from helpdesk.reports.models import TicketFact
from helpdesk.tag_lookup import tag_q


@dataclass(frozen=True, slots=True)
class Filters:
    """What a report is about. `teams` None: every team (admins)."""

    since: datetime
    until: datetime
    teams: frozenset[int] | None = None
    team: int | None = None
    inbox: int | None = None
    channel: str | None = None
    agent: int | None = None
    tag: str | None = None
    business_hours: bool = False

    def previous(self) -> Filters:
        """The same filters over the period just before this one, of the same length."""
        span = self.until - self.since
        return Filters(
            self.since - span,
            self.since,
            self.teams,
            self.team,
            self.inbox,
            self.channel,
            self.agent,
            self.tag,
            self.business_hours,
        )


def dims(f: Filters) -> Q:
    """The rollup's dimensions of the filters (team scope, team, inbox, channel, agent)."""
    q = Q()
    if f.teams is not None:
        q &= Q(team_id_value__in=f.teams)
    if f.team is not None:
        q &= Q(team_id_value=f.team)
    if f.inbox is not None:
        q &= Q(inbox_id_value=f.inbox)
    if f.channel:
        q &= Q(channel=f.channel)
    if f.agent is not None:
        q &= Q(agent_id_value=f.agent)
    return q


def facts(f: Filters) -> QuerySet[TicketFact]:
    """Facts of the filtered conversations (any time), merged ones left out."""
    qs = TicketFact.objects.filter(dims(f), merged=False)
    if f.tag:
        qs = qs.filter(tag_q("ticket__tags", f.tag))
    return qs


def in_period(field: str, f: Filters) -> Q:
    """`field` within [since, until)."""
    return Q(**{f"{field}__gte": f.since, f"{field}__lt": f.until})


def as_dict(f: Filters) -> dict[str, Any]:
    """The filters as keyword arguments (to copy them with changes)."""
    return {name: getattr(f, name) for name in Filters.__slots__}
