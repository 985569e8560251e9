"""Importing contacts from CSV: upload, column mapping with a preview, progress, rejects."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents.views.common import agent_required, failed
from helpdesk.actions import imports
from helpdesk.actions.companies import check_may_manage_crm
from helpdesk.actions.errors import ActionError, Invalid
from helpdesk.crm import csvfile
from helpdesk.crm.importing import Rejected, attribute_definitions, parse_row
from helpdesk.crm.tasks import run_contact_import
from helpdesk.models import ContactImport, ImportState

PREVIEW = 5


def _job(request: HttpRequest, job_id: int) -> ContactImport:
    check_may_manage_crm(request.user)
    job = ContactImport.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404("no such import")
    return job


@require_http_methods(["GET", "POST"])
@agent_required
def upload(request: HttpRequest) -> HttpResponse:
    """The upload form and the recent imports; a posted file goes on to its mapping."""
    try:
        check_may_manage_crm(request.user)
        if request.method == "POST":
            file = request.FILES.get("file")
            if file is None:
                raise Invalid("choose a CSV file", field="file")
            job = imports.do_upload_import(request.user, file.name or "contacts.csv", file.read())
            return HttpResponseRedirect(reverse("contacts_import_job", args=[job.pk]))
    except ActionError as exc:
        return failed(request, exc)
    recent = ContactImport.objects.defer("content", "rejected_csv").order_by("-id")[:10]
    return render(request, "agents/contacts_import.html", {"recent": recent})


def _preview(job: ContactImport) -> tuple[list[str], list[dict[str, Any]]]:
    header, rows = csvfile.read_rows(job.content)
    defs = attribute_definitions()
    shown = []
    for number, row in enumerate(rows[:PREVIEW], start=1):
        try:
            plan = parse_row(number, header, row, job.mapping, defs)
            result = {"ok": True, "name": plan.name, "identities": plan.identities}
        except Rejected as exc:
            result = {"ok": False, "reason": str(exc)}
        shown.append({"cells": row, **result})
    return header, shown


@require_http_methods(["GET", "POST"])
@agent_required
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    """Before the start: the mapping form and a preview; after: the progress."""
    try:
        job = _job(request, job_id)
        if request.method == "POST":
            header, _rows = csvfile.read_rows(job.content)
            mapping = {c: request.POST.get(f"map_{i}", "") for i, c in enumerate(header)}
            dry_run = request.POST.get("dry_run") == "1"
            start = request.POST.get("go") == "start"
            job = imports.do_map_import(request.user, job.pk, mapping, dry_run=dry_run, start=start)
            return HttpResponseRedirect(reverse("contacts_import_job", args=[job.pk]))
    except ActionError as exc:
        return failed(request, exc)
    header, preview = _preview(job)
    columns = [
        {"index": i, "name": c, "target": job.mapping.get(c, "")} for i, c in enumerate(header)
    ]
    context = {
        "job": job,
        "columns": columns,
        "preview": preview,
        "targets": csvfile.targets(),
        "started": job.state != ImportState.PENDING,
    }
    return render(request, "agents/contacts_import_job.html", context)


@require_GET
@agent_required
def status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress bar and counts (htmx polls this while the import runs)."""
    try:
        job = _job(request, job_id)
    except ActionError as exc:
        return failed(request, exc)
    return render(request, "agents/_import_status.html", {"job": job})


@require_GET
@agent_required
def rejected(request: HttpRequest, job_id: int) -> HttpResponse:
    """The rejected rows with a "reason" column, as a CSV file."""
    try:
        job = _job(request, job_id)
    except ActionError as exc:
        return failed(request, exc)
    response = HttpResponse("\ufeff" + job.rejected_csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{job.pk}.csv"'
    return response


@require_POST
@agent_required
def resume(request: HttpRequest, job_id: int) -> HttpResponse:
    """Queue an interrupted import again; it goes on from its next batch."""
    try:
        job = _job(request, job_id)
    except ActionError as exc:
        return failed(request, exc)
    if job.state == ImportState.RUNNING:
        run_contact_import.enqueue(job.pk)
    return HttpResponseRedirect(reverse("contacts_import_job", args=[job.pk]))
