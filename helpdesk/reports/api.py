"""`GET /api/v1/reports/summary` and `/timeseries` (docs/reports.md).

Agents read the reports of their own teams (a `team` of another team is 403),
admins every team. `since` is inclusive, `until` exclusive.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import BeforeValidator, Field

from helpdesk.actions.errors import Invalid
from helpdesk.api.types import QueryId, QueryText, UtcDatetime
from helpdesk.crm.segments import members
from helpdesk.models import Segment
from helpdesk.reports import backlog, metrics, people, queries
from helpdesk.reports import churn as churn_report
from helpdesk.reports.scope import MAX_BUCKETS, filters_for

router = Router(tags=["reports"])


def _iso(value: Any) -> Any:
    # Pydantic would read "578" as a Unix time; the document promises an ISO date-time.
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("an ISO 8601 date-time, such as 2026-11-04T00:00:00+03:30")
    return value


IsoDatetime = Annotated[UtcDatetime, BeforeValidator(_iso)]

Metric = Literal[
    "conversations_created",
    "conversations_resolved",
    "conversations_reopened",
    "messages_in",
    "messages_out",
    "first_response_time",
    "reply_time",
    "resolution_time",
    "backlog",
]
assert set(Metric.__args__) == set(metrics.METRICS)  # type: ignore[attr-defined]  # noqa: S101


class ReportFilters(Schema):
    since: IsoDatetime | None = Field(None, description="inclusive; 7 days before until by default")
    until: IsoDatetime | None = Field(None, description="exclusive; now by default")
    team: QueryId | None = None
    inbox: QueryId | None = None
    channel: QueryText | None = Field(None, max_length=16)
    agent: QueryId | None = None
    tag: QueryText | None = Field(None, max_length=50)
    business_hours: bool = False


class SeriesFilters(ReportFilters):
    metric: Metric = "conversations_created"
    interval: Literal["hour", "day", "week"] = "day"
    tz: QueryText | None = Field(None, max_length=64, description="IANA zone of the buckets")


class TimeStats(Schema):
    median_s: float | None
    p90_s: float | None
    avg_s: float | None
    approximate: bool = Field(
        False, description="median and p90 from the duration histogram (within 1 %)"
    )


class Summary(Schema):
    conversations_created: int
    conversations_resolved: int
    conversations_reopened: int
    messages_in: int
    messages_out: int
    business_hours: bool
    first_response_time: TimeStats
    resolution_time: TimeStats
    reply_time: dict[str, Any]
    sla: dict[str, Any] | None
    csat: dict[str, Any] | None
    nps: dict[str, Any] | None


class Point(Schema):
    start: str
    value: float | None


class Series(Schema):
    metric: str
    interval: str
    points: list[Point]


def _filters(request: HttpRequest, f: ReportFilters) -> queries.Filters:
    until = f.until or timezone.now()
    try:
        since = f.since or until - timedelta(days=7)
    except OverflowError as exc:
        raise Invalid("give since with so early an until", field="since") from exc
    return filters_for(
        request.user,
        since,
        until,
        team=f.team,
        inbox=f.inbox,
        channel=f.channel,
        agent=f.agent,
        tag=f.tag,
        business_hours=f.business_hours,
    )


@router.get("/summary", response=Summary, summary="Report summary of a period")
def summary(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    """Conversations created and resolved, first response and resolution times
    (median, p90, average; business seconds with business_hours=true), SLA, CSAT, NPS."""
    return queries.summary(_filters(request, filters))


@router.get("/timeseries", response=Series, summary="A report metric per hour, day or week")
def timeseries(request: HttpRequest, filters: Query[SeriesFilters]) -> Any:
    """One point per interval from `since` to `until` (zeros included; times are averages)."""
    f = _filters(request, filters)
    step = queries.STEP[filters.interval]
    if (f.until - f.since) / step > MAX_BUCKETS:
        raise Invalid(f"at most {MAX_BUCKETS} points; use a longer interval", field="interval")
    zone = filters.tz or settings.TIME_ZONE
    try:
        points = queries.timeseries(f, filters.metric, filters.interval, zone)
    except (KeyError, ValueError) as exc:
        raise Invalid("unknown time zone", field="tz") from exc
    return {"metric": filters.metric, "interval": filters.interval, "points": points}


class AgentRow(Schema):
    agent_id: int
    handled: int
    replies: int
    resolved: int
    first_response_median_s: float | None
    approximate: bool = False
    csat: float | None
    online_s: int
    away_s: int


class Agents(Schema):
    agents: list[AgentRow]


@router.get("/agents", response=Agents, summary="Per-agent figures of a period")
def agents(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    """Per agent: conversations handled, replies, resolved, median first response, CSAT
    (% satisfied), and the seconds spent online and away within the period."""
    return {"agents": people.agents(_filters(request, filters))}


class TagRow(Schema):
    tag: str
    created: int
    resolved: int


class Tags(Schema):
    tags: list[TagRow]
    untagged: int


@router.get("/tags", response=Tags, summary="Conversations per tag in a period")
def tags(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    """Per tag: conversations created in the period with it, and how many of those are
    resolved; the most used 50 tags first, and the count of untagged conversations."""
    f = _filters(request, filters)
    return {"tags": backlog.tags(f), "untagged": backlog.untagged(f)}


class ChurnFilters(ReportFilters):
    segment_id: QueryId | None = Field(None, description="only the contacts of this segment")


class AtRisk(Schema):
    contact_id: int
    name: str
    kind: str
    score: int
    answered_at: datetime
    ticket_id: int | None


class Churn(Schema):
    previous_contacts: int
    returned: int
    churned: int
    churn_pct: float | None
    at_risk: list[AtRisk]


@router.get("/churn", response=Churn, summary="Customer churn and at-risk contacts")
def churn(request: HttpRequest, filters: Query[ChurnFilters]) -> Any:
    """Of the contacts with a conversation in the previous period (same length), those
    with none in this one; and the at-risk contacts (last CSAT <= 2 or NPS detractor, no
    conversation since). `segment_id` keeps the contacts of one CRM segment."""
    f = _filters(request, filters)
    contacts = None
    if filters.segment_id is not None:
        segment = Segment.objects.filter(pk=filters.segment_id).first()
        if segment is None:
            raise Invalid(f"no segment {filters.segment_id}", field="segment_id")
        contacts = members(segment).values("pk")
    return {**churn_report.churn(f, contacts), "at_risk": churn_report.at_risk(f, contacts)}
