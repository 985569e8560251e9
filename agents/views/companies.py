"""Companies: the list, one company with its contacts and their tickets, create and edit."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents.views.common import agent_required, back, failed
from helpdesk.actions import companies as company_actions
from helpdesk.actions.errors import ActionError
from helpdesk.crm.attributes import definitions
from helpdesk.models import AttributeEntity, Company
from helpdesk.staff.access import agent_of, is_admin, visible_contacts, visible_tickets


def _can_manage(request: HttpRequest) -> bool:
    agent = agent_of(request.user)
    return is_admin(request.user) or getattr(agent, "role", "") == "supervisor"


@require_GET
@agent_required
def company_list(request: HttpRequest) -> HttpResponse:
    """Companies with their domains and the number of contacts the agent may see."""
    q = request.GET.get("q", "").strip()[:200]
    qs = Company.objects.prefetch_related("domains").order_by("name")
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(domains__domain__icontains=q.lower())
    companies = list(qs.distinct()[:200])
    counts = dict(
        visible_contacts(request.user)
        .filter(company__in=[c.pk for c in companies])
        .values_list("company")
        .annotate(n=Count("id"))
    )
    for company in companies:
        company.contact_count = counts.get(company.pk, 0)  # type: ignore[attr-defined]
    context = {"companies": companies, "query": q, "can_manage": _can_manage(request)}
    return render(request, "agents/companies.html", context)


@require_GET
@agent_required
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    company = Company.objects.prefetch_related("domains").filter(pk=company_id).first()
    if company is None:
        raise Http404("no such company")
    contacts = visible_contacts(request.user).filter(company=company).order_by("name")[:200]
    tickets = (
        visible_tickets(request.user)
        .filter(contact__company=company)
        .select_related("contact", "inbox")
        .order_by("-last_message_at", "-id")[:50]
    )
    values = company.custom_attributes or {}
    context: dict[str, Any] = {
        "company": company,
        "domains": ", ".join(d.domain for d in company.domains.all()),
        "contacts": list(contacts),
        "tickets": list(tickets),
        "attributes": [(d, values.get(d.key)) for d in definitions(AttributeEntity.COMPANY)],
        "can_manage": _can_manage(request),
    }
    return render(request, "agents/company.html", context)


@require_POST
@agent_required
def save(request: HttpRequest, company_id: int | None = None) -> HttpResponse:
    """Create a company (no id) or change its name, domains, notes and attributes."""
    changes: dict[str, Any] = {
        "name": request.POST.get("name", ""),
        "domains": [d for d in request.POST.get("domains", "").replace(",", " ").split() if d],
    }
    if "notes" in request.POST:
        changes["notes"] = request.POST["notes"]
    attr_keys = [k.removeprefix("attr_") for k in request.POST if k.startswith("attr_")]
    if attr_keys:
        company = Company.objects.filter(pk=company_id).first() if company_id else None
        current = dict(company.custom_attributes or {}) if company else {}
        current.update({k: request.POST[f"attr_{k}"] for k in attr_keys})
        changes["custom_attributes"] = current
    try:
        saved = company_actions.do_save_company(request.user, company_id, changes)
    except ActionError as exc:
        return failed(request, exc)
    return back(request, reverse("company", args=[saved.pk]))
