"""The contacts page: search, filters, sort, bulk tag / add to segment / export."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agents.crm_filters import SORTS, from_query, to_query
from agents.views.common import agent_required, back, failed
from helpdesk import channels
from helpdesk.actions import contacts as contact_actions
from helpdesk.actions import segments as segment_actions
from helpdesk.actions.companies import check_may_manage_crm
from helpdesk.actions.errors import ActionError, Invalid
from helpdesk.contact_search import top_ids
from helpdesk.crm import exporting, segments
from helpdesk.crm.filters import ContactFilter, apply_filter
from helpdesk.crm.visibility import readable_contacts
from helpdesk.models import AttributeDefinition, Company, Contact, Segment, TicketStatus
from helpdesk.staff.access import is_admin, visible_tickets

PER_PAGE = 50


def filtered(
    request: HttpRequest, *, search: bool = True
) -> tuple[QuerySet[Contact], ContactFilter, list[str]]:
    """The contacts the agent may see that match the page's filter (and segment);
    `search=False` leaves the text search to the caller (see `_page_rows`)."""
    flt, problems = from_query(request.GET)
    conditions = flt if search else flt.model_copy(update={"q": ""})
    qs = apply_filter(readable_contacts(request.user).filter(merged_into__isnull=True), conditions)
    segment_id = request.GET.get("segment", "")
    if segment_id.isdigit():
        segment = Segment.objects.filter(pk=int(segment_id)).first()
        if segment is not None:
            qs = segments.members(segment, qs)
    return qs, flt, problems


def _page_rows(
    request: HttpRequest, qs: QuerySet[Contact], q: str
) -> tuple[list[Contact], int, bool]:
    """One page (no COUNT over a million rows: "next" is known from one extra row)."""
    page = max(1, int(request.GET["page"])) if request.GET.get("page", "").isdigit() else 1
    order = SORTS.get(request.GET.get("sort", ""), SORTS["newest"])
    start = (page - 1) * PER_PAGE
    if q:  # each branch of the search walks its own index (helpdesk.contact_search)
        upto = start + PER_PAGE + 1
        whole = is_admin(request.user)
        qs = Contact.objects.filter(id__in=top_ids(qs, q, order, upto, whole=whole))
    rows = list(
        qs.select_related("company")
        .prefetch_related("identities")
        .order_by(*order)[start : start + PER_PAGE + 1]
    )
    _annotate_activity(request, rows[:PER_PAGE])
    return rows[:PER_PAGE], page, len(rows) > PER_PAGE


def _annotate_activity(request: HttpRequest, rows: list[Contact]) -> None:
    """Open tickets and last contact, for the rows shown only (one query)."""
    activity = {
        r["contact_id"]: r
        for r in visible_tickets(request.user)
        .filter(contact__in=[c.pk for c in rows])
        .values("contact_id")
        .annotate(
            open=Count("id", filter=Q(status__in=TicketStatus.active())),
            last=Max("last_message_at"),
        )
    }
    for contact in rows:
        found: Any = activity.get(contact.pk, {})
        contact.open_tickets = found.get("open", 0)  # type: ignore[attr-defined]
        contact.last_seen = found.get("last")  # type: ignore[attr-defined]


@require_GET
@agent_required
def contact_list(request: HttpRequest) -> HttpResponse:
    """Every contact the agent may see (a ticket in one of their teams), searchable by
    name, address or phone number, filtered, sorted, with bulk actions."""
    qs, flt, problems = filtered(request, search=False)
    rows, page, has_next = _page_rows(request, qs, flt.q)
    params = request.GET.copy()
    params.pop("page", None)
    context: dict[str, Any] = {
        "contacts": rows,
        "page_number": page,
        "has_next": has_next,
        "query": flt.q,
        "flt": flt,
        "problems": problems,
        "params": params.urlencode(),
        "sort": request.GET.get("sort", "newest"),
        "channels": sorted(channels.identity_specs().items()),
        "companies": Company.objects.order_by("name")[:500],
        "attributes": AttributeDefinition.objects.filter(entity="contact"),
        "segments": Segment.objects.order_by("name")[:200],
        "segment_id": request.GET.get("segment", ""),
        "attr": request.GET.get("attr", ""),
        "op": request.GET.get("op", "eq"),
        "val": request.GET.get("val", ""),
        "csat_scores": range(1, 6),
        "filtering": bool(to_query(flt)) or bool(request.GET.get("segment")),
        "editing": _segment_or_none(request.GET.get("edit_segment", "")),
    }
    return render(request, "agents/contacts.html", context)


@require_POST
@agent_required
def bulk(request: HttpRequest) -> HttpResponseBase:
    """Tag, untag, add to a segment or export the ticked contacts (those the agent may
    see; exporting is for supervisors and admins, like the page's export)."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:5000]
    op = request.POST.get("op", "")
    try:
        if not ids:
            raise Invalid(_("Tick at least one contact."))
        if op in ("tag", "untag"):
            tags = [t for t in request.POST.get("tag", "").split(",") if t.strip()]
            add, remove = (tags, []) if op == "tag" else ([], tags)
            contact_actions.do_tag_contacts(request.user, ids, add, remove)
        elif op in ("export_csv", "export_xlsx"):
            check_may_manage_crm(request.user)
            base = readable_contacts(request.user).filter(merged_into__isnull=True)
            return _export(base.filter(pk__in=ids), op.removeprefix("export_"))
        elif op == "segment":
            segment_id = request.POST.get("segment", "")
            if not segment_id.isdigit():
                raise Invalid(_("Choose a segment."))
            segment_actions.do_add_to_segment(request.user, int(segment_id), ids)
        else:
            raise Invalid(_("Choose an action."))
    except ActionError as exc:
        return failed(request, exc)
    return back(request, reverse("contacts"))


def _segment_or_none(raw: str) -> Segment | None:
    return Segment.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


@require_POST
@agent_required
def save_segment(request: HttpRequest) -> HttpResponse:
    """Save the page's current filter as a segment, or as the new conditions of the
    segment being edited (its hand-added contacts stay); supervisors and admins."""
    flt, _problems = from_query(request.POST)
    editing = _segment_or_none(request.POST.get("segment_id", ""))
    if editing is not None:
        flt = flt.model_copy(update={"include_ids": segments.definition(editing).include_ids})
    try:
        segment = segment_actions.do_save_segment(
            request.user,
            editing.pk if editing is not None else None,
            name=request.POST.get("name", ""),
            description=request.POST.get(
                "description", editing.description if editing is not None else ""
            ),
            definition=flt.model_dump(mode="json", exclude_defaults=True),
        )
    except ActionError as exc:
        return failed(request, exc)
    return HttpResponseRedirect(f"{reverse('segments')}#segment-{segment.pk}")


@require_GET
@agent_required
def export(request: HttpRequest) -> HttpResponseBase:
    """The filtered contacts (or a segment's) as CSV, streamed, or XLSX."""
    try:
        check_may_manage_crm(request.user)
    except ActionError as exc:
        return failed(request, exc)
    qs, _flt, _problems = filtered(request)
    ids = [int(i) for i in request.GET.getlist("ids") if i.isdigit()]
    if ids:
        qs = qs.filter(pk__in=ids)
    return _export(qs, request.GET.get("format", "csv"))


def _export(qs: QuerySet[Contact], fmt: str) -> HttpResponseBase:
    """`qs` as an XLSX file or a streamed CSV (UTF-8 with BOM)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        return FileResponse(
            exporting.xlsx_file(qs),
            as_attachment=True,
            filename=f"contacts-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(
        exporting.csv_chunks(qs), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="contacts-{stamp}.csv"'
    return response
