"""Companies: list and search, one company, create, edit (domains, attributes), delete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.db.models import Count
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from helpdesk.actions import companies as company_actions
from helpdesk.actions.errors import NotFound
from helpdesk.api.auth import require_scope
from helpdesk.api.pagination import decode_id_cursor, encode_cursor, page_limit
from helpdesk.api.types import CursorText, JsonObject, PageLimit, PathId, QueryText, Text
from helpdesk.models import Company, TokenScope
from helpdesk.staff.access import visible_contacts

router = Router(tags=["companies"])


class CompanyOut(Schema):
    id: int
    name: str
    notes: str
    domains: list[str]
    custom_attributes: dict[str, Any]
    contacts: int  # the contacts of the company the caller may see
    created_at: datetime


class CompanyPage(Schema):
    items: list[CompanyOut]
    next_cursor: str | None


class CompanyFilters(Schema):
    q: QueryText | None = Field(None, max_length=200)
    cursor: CursorText | None = None
    limit: PageLimit | None = None


Domain = Annotated[Text, Field(min_length=3, max_length=253)]


class CompanyIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: Annotated[Text, Field(min_length=1, max_length=200)] = ""
    notes: Annotated[Text, Field(max_length=20_000)] = ""
    domains: list[Domain] = Field(default_factory=list, max_length=50)
    custom_attributes: JsonObject = Field(default_factory=dict)

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in sorted(self.model_fields_set)}


def _out(request: HttpRequest, company: Company, contacts: int | None = None) -> dict[str, Any]:
    if contacts is None:
        contacts = visible_contacts(request.user).filter(company=company).count()
    return {
        "id": company.pk,
        "name": company.name,
        "notes": company.notes,
        "domains": [d.domain for d in company.domains.all()],
        "custom_attributes": company.custom_attributes or {},
        "contacts": contacts,
        "created_at": company.created_at,
    }


@router.get("/companies", response=CompanyPage, summary="List companies")
def list_companies(request: HttpRequest, filters: Query[CompanyFilters]) -> Any:
    """Companies by name (or domain) search, newest first, keyset-paginated."""
    company_actions.check_may_read_crm(request.user)
    limit = page_limit(filters.limit)
    qs = Company.objects.all()
    if filters.q and filters.q.strip():
        q = filters.q.strip()
        qs = qs.filter(name__icontains=q) | qs.filter(domains__domain__icontains=q.lower())
    if filters.cursor:
        qs = qs.filter(id__lt=decode_id_cursor(filters.cursor))
    rows = list(qs.distinct().prefetch_related("domains").order_by("-id")[: limit + 1])
    counts = dict(
        visible_contacts(request.user)
        .filter(company__in=[c.pk for c in rows])
        .values_list("company")
        .annotate(n=Count("id"))
    )
    items = [_out(request, c, counts.get(c.pk, 0)) for c in rows[:limit]]
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


def _company(request: HttpRequest, company_id: int) -> Company:
    company_actions.check_may_read_crm(request.user)
    company = Company.objects.prefetch_related("domains").filter(pk=company_id).first()
    if company is None:
        raise NotFound(f"company {company_id} not found")
    return company


@router.get("/companies/{company_id}", response=CompanyOut, summary="One company")
def get_company(request: HttpRequest, company_id: PathId) -> Any:
    return _out(request, _company(request, company_id))


@router.post("/companies", response={201: CompanyOut}, summary="Create a company")
def create_company(request: HttpRequest, payload: CompanyIn) -> Any:
    """Supervisors and admins (admin-scope token); new email contacts join by domain."""
    require_scope(request, TokenScope.ADMIN)
    company = company_actions.do_save_company(request.user, None, payload.changes())
    return 201, _out(request, _company(request, company.pk))


@router.patch("/companies/{company_id}", response=CompanyOut, summary="Edit a company")
def update_company(request: HttpRequest, company_id: PathId, payload: CompanyIn) -> Any:
    """Only the fields sent change; `domains` and `custom_attributes` replace the old ones."""
    require_scope(request, TokenScope.ADMIN)
    company_actions.do_save_company(request.user, company_id, payload.changes())
    return _out(request, _company(request, company_id))


@router.delete("/companies/{company_id}", response={204: None}, summary="Delete a company")
def delete_company(request: HttpRequest, company_id: PathId) -> Any:
    """Its contacts stay, without a company."""
    require_scope(request, TokenScope.ADMIN)
    company_actions.do_delete_company(request.user, company_id)
    return 204, None
