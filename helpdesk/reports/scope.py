"""Who may read which reports: admins every team, agents only their own teams."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk.actions.errors import Forbidden, Invalid
from helpdesk.reports.queries import Filters
from helpdesk.staff.access import is_admin, team_ids

MAX_BUCKETS = 2000


def filters_for(
    user: Any,
    since: datetime,
    until: datetime,
    *,
    team: int | None = None,
    inbox: int | None = None,
    channel: str | None = None,
    agent: int | None = None,
    tag: str | None = None,
    business_hours: bool = False,
) -> Filters:
    """The filters a user asked for, limited to the teams they may read."""
    if until <= since:
        raise Invalid("until must be after since", field="until")
    teams = None if is_admin(user) else frozenset(team_ids(user))
    if teams is not None and team is not None and team not in teams:
        raise Forbidden("reports of another team")
    return Filters(
        since=since,
        until=until,
        teams=teams,
        team=team,
        inbox=inbox,
        channel=channel or None,
        agent=agent,
        tag=tag or None,
        business_hours=business_hours,
    )
