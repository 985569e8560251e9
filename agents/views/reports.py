"""The reports section: overview, conversations, agents, SLA, CSAT, NPS, churn.

Every figure comes from helpdesk.reports.queries (the same as the API); charts are
drawn by agents/reports.js with the vendored Chart.js, and each bar links to the
conversations behind it (`reports_tickets`). Exports stream one row per conversation.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from agents.report_filters import PageFilters, page_filters
from agents.views.common import agent_required, failed
from helpdesk import channels
from helpdesk.actions.errors import ActionError
from helpdesk.crm.segments import members
from helpdesk.digits import persian_digits
from helpdesk.jalali import to_jalali
from helpdesk.models import Agent, Inbox, Presence, Segment, Team, Ticket, TicketStatus
from helpdesk.reports import backlog, breakdowns, churn, metrics, people, queries
from helpdesk.staff.access import is_admin, team_ids, visible_tickets

SECTIONS = (
    "overview",
    "conversations",
    "agents",
    "teams",
    "channels",
    "inboxes",
    "tags",
    "sla",
    "csat",
    "nps",
    "churn",
)
DRILL_LIMIT = 500


def _section_labels() -> dict[str, str]:
    return {
        "overview": _("Overview"),
        "conversations": _("Conversations"),
        "agents": _("Agents"),
        "teams": _("Teams"),
        "channels": _("Channels"),
        "inboxes": _("Inboxes"),
        "tags": _("Tags"),
        "sla": _("SLA"),
        "csat": _("CSAT"),
        "nps": _("NPS"),
        "churn": _("Churn"),
    }


BREAKDOWN_SECTIONS = {"teams": "team", "channels": "channel", "inboxes": "inbox"}


def _breakdown_labels(by: str) -> dict[Any, str]:
    """Names of a breakdown's keys: teams, channel kinds or inboxes."""
    if by == "team":
        return {t.pk: t.name for t in Team.objects.all()}
    if by == "inbox":
        return {i.pk: i.name for i in Inbox.objects.all()}
    return {k: str(channels.kind_label(k)) for k in channels.kinds()}


def _choices(request: HttpRequest) -> dict[str, Any]:
    teams = Team.objects.order_by("name")
    inboxes = Inbox.objects.order_by("name")
    agents = Agent.objects.select_related("user").order_by("display_name")
    if not is_admin(request.user):
        mine = list(team_ids(request.user))
        teams = teams.filter(pk__in=mine)
        inboxes = inboxes.filter(team_id__in=mine)
        agents = agents.filter(teams__in=mine).distinct()
    return {
        "teams": list(teams),
        "inboxes": list(inboxes),
        "agents": list(agents),
        "channel_kinds": sorted({i.kind for i in inboxes}),
    }


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or not before:
        return None
    return round(100.0 * (now - before) / before, 1)


def _kpis(pf: PageFilters) -> list[dict[str, Any]]:
    """Period KPIs with the change against the previous period of the same length."""
    now, before = queries.summary(pf.filters), queries.summary(pf.filters.previous())
    rows: list[tuple[str, str, Callable[[dict[str, Any]], Any], str]] = [
        (_("Conversations"), "conversations_created", lambda s: s["conversations_created"], ""),
        (_("Resolved"), "conversations_resolved", lambda s: s["conversations_resolved"], ""),
        (_("Reopened"), "conversations_reopened", lambda s: s["conversations_reopened"], ""),
        (
            _("First response (median)"),
            "first_response_time",
            lambda s: s["first_response_time"]["median_s"],
            "s",
        ),
        (
            _("Resolution (median)"),
            "resolution_time",
            lambda s: s["resolution_time"]["median_s"],
            "s",
        ),
        (_("CSAT (% satisfied)"), "", lambda s: s["csat"]["satisfied_pct"], "%"),
        (_("NPS"), "", lambda s: s["nps"]["score"], ""),
    ]
    return [
        {
            "label": label,
            "metric": metric,
            "value": get(now),
            "unit": unit,
            "change": _change(get(now), get(before)),
        }
        for label, metric, get, unit in rows
    ]


def _live(request: HttpRequest) -> dict[str, Any]:
    """Right now: open, unassigned, the longest wait, agents online."""
    active = visible_tickets(request.user).filter(
        status__in=TicketStatus.active(), merged_into__isnull=True
    )
    waiting = active.filter(status__in=[TicketStatus.NEW, TicketStatus.OPEN]).aggregate(
        oldest=Min("last_customer_message_at")
    )["oldest"]
    agents = Agent.objects.filter(presence=Presence.ONLINE)
    if not is_admin(request.user):
        agents = agents.filter(teams__in=list(team_ids(request.user))).distinct()
    return {
        "open": active.count(),
        "unassigned": active.filter(assignee__isnull=True).count(),
        "waiting_since": waiting,
        "online": agents.count(),
    }


def _series(pf: PageFilters, metric: str) -> list[dict[str, Any]]:
    interval = "hour" if (pf.last_day - pf.first_day).days < 2 else "day"
    points = queries.timeseries(pf.filters, metric, interval, pf.zone)
    step = queries.STEP[interval]
    fa = get_language() == "fa"
    for p in points:
        start = datetime.fromisoformat(p["start"])
        end = start + step if interval == "hour" else queries.bucket_range(start, "day", pf.zone)[1]
        p["drill"] = pf.query(metric=metric, start=start.isoformat(), end=end.isoformat())
        p["label"] = _label(start, interval, fa)
    return points


def _label(start: datetime, interval: str, fa: bool) -> str:
    """A bucket's axis label: the hour, or the (Jalali in Persian) day."""
    if interval == "hour":
        text = f"{start:%H}:00"
    elif fa:
        _y, m, d = to_jalali(start.date())
        text = f"{m:02d}/{d:02d}"
    else:
        text = f"{start:%b} {start.day}"
    return persian_digits(text) if fa else text


@require_GET
@agent_required
def reports(request: HttpRequest) -> HttpResponse:
    """The reports page: the chosen section of the filtered period."""
    try:
        pf = page_filters(request)
    except ActionError as exc:
        return failed(request, exc)
    section = request.GET.get("section", "overview")
    if section not in SECTIONS:
        section = "overview"
    fa = get_language() == "fa"
    context: dict[str, Any] = {
        "pf": pf,
        "section": section,
        "sections": [(k, v, pf.query(section=k)) for k, v in _section_labels().items()],
        "query": pf.query(section=section),
        **_choices(request),
        "channel_labels": {k: channels.kind_label(k) for k in channels.kinds()},
    }
    if section == "overview":
        context["live"] = _live(request)
        context["kpis"] = _kpis(pf)
        week_start = 6 if fa else 1
        context["charts"] = {
            "volume": {
                "created": _series(pf, "conversations_created"),
                "resolved": _series(pf, "conversations_resolved"),
            },
            "heatmap": queries.heatmap(pf.filters, pf.zone, week_start),
            "week_start": week_start,
        }
    elif section == "conversations":
        context["summary"] = queries.summary(pf.filters)
        context["charts"] = {
            "volume": {
                "created": _series(pf, "conversations_created"),
                "resolved": _series(pf, "conversations_resolved"),
            },
            "times": {
                "first_response": _series(pf, "first_response_time"),
                "resolution": _series(pf, "resolution_time"),
            },
            "backlog": _series(pf, "backlog"),
        }
    elif section == "agents":
        names = {a.user_id: str(a) for a in Agent.objects.select_related("user")}
        rows = people.agents(pf.filters)
        for row in rows:
            row["name"] = names.get(row["agent_id"], str(row["agent_id"]))
        context["agent_rows"] = rows
    elif section in BREAKDOWN_SECTIONS:
        by = BREAKDOWN_SECTIONS[section]
        rows = breakdowns.breakdown(pf.filters, by)
        labels = _breakdown_labels(by)
        for row in rows:
            row["name"] = labels.get(row["key"], str(row["key"]) if row["key"] else "—")
            row["query"] = pf.query(**{by: row["key"] or ""})
        context["breakdown"] = rows
    elif section == "tags":
        rows = backlog.tags(pf.filters)
        for row in rows:
            row["query"] = pf.query(tag=row["tag"])
        context["tag_rows"] = rows
        context["untagged"] = backlog.untagged(pf.filters)
    elif section in ("sla", "csat", "nps"):
        context["summary"] = queries.summary(pf.filters)
    else:
        segments = list(Segment.objects.order_by("name"))
        chosen = next((x for x in segments if str(x.pk) == request.GET.get("segment")), None)
        contacts = members(chosen).values("pk") if chosen is not None else None
        context["segments"] = segments
        context["segment"] = chosen
        context["churn"] = churn.churn(pf.filters, contacts)
        context["at_risk"] = churn.at_risk(pf.filters, contacts)
    return render(request, "agents/reports.html", context)


def _drill_filters(request: HttpRequest, pf: PageFilters) -> queries.Filters:
    """The bucket of a chart (start/end inside the period), or the whole period."""
    f = pf.filters
    try:
        start = datetime.fromisoformat(request.GET.get("start", ""))
        end = datetime.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        return f
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        return f
    values = {name: getattr(f, name) for name in queries.Filters.__slots__}
    values["since"], values["until"] = max(start, f.since), min(end, f.until)
    return queries.Filters(**values)


@require_GET
@agent_required
def tickets(request: HttpRequest) -> HttpResponse:
    """The conversations behind a figure or a bar (same rules as the figure)."""
    try:
        pf = page_filters(request)
    except ActionError as exc:
        return failed(request, exc)
    metric = request.GET.get("metric", "conversations_created")
    if metric not in metrics.METRICS:
        metric = "conversations_created"
    f = _drill_filters(request, pf)
    facts = list(queries.drill_down(f, metric)[: DRILL_LIMIT + 1])
    found = {t.pk: t for t in Ticket.objects.filter(pk__in=[x.ticket_id for x in facts])}
    rows = [(x, found.get(x.ticket_id)) for x in facts[:DRILL_LIMIT]]
    context = {
        "pf": pf,
        "rows": rows,
        "more": len(facts) > DRILL_LIMIT,
        "metric": metric,
        "since": f.since,
        "until": f.until - timedelta(microseconds=1),
        "back": pf.query(),
        "export_query": pf.query(),
    }
    return render(request, "agents/reports_tickets.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_chunks(f: queries.Filters) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # spreadsheet programs read the file as UTF-8
    batch: list[str] = []
    for row in queries.export_rows(f):
        batch.append(writer.writerow(row))
        if len(batch) >= 1000:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


@require_GET
@agent_required
def export(request: HttpRequest) -> HttpResponseBase:
    """One row per conversation of the filters, every fact: CSV streamed, or XLSX."""
    try:
        pf = page_filters(request)
    except ActionError as exc:
        return failed(request, exc)
    stamp = f"{pf.first_day:%Y%m%d}-{pf.last_day:%Y%m%d}"
    if request.GET.get("format") == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("conversations")
        for row in queries.export_rows(pf.filters):
            sheet.append(row)
        out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to a FileResponse, which closes it
        workbook.save(out)
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"conversations-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(
        _csv_chunks(pf.filters), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="conversations-{stamp}.csv"'
    return response
