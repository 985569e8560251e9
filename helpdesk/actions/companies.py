"""Company actions: create, edit (domains and typed attributes), delete."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from helpdesk import events
from helpdesk.actions.common import Actor
from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.crm.attributes import merge_values
from helpdesk.crm.companies import normalize_domain
from helpdesk.event_schemas import CompanyUpdated
from helpdesk.models import AttributeEntity, Company, CompanyDomain, Role
from helpdesk.staff.access import agent_of, is_admin

EDITABLE = ("name", "notes", "domains", "custom_attributes")


def check_may_manage_crm(actor: Actor) -> None:
    """Companies, segments and attribute definitions are managed by supervisors and admins."""
    if is_admin(actor):
        return
    agent = agent_of(actor)
    if agent is None or agent.role != Role.SUPERVISOR:
        raise Forbidden("only a supervisor or an admin may do this")


def check_may_read_crm(actor: Actor) -> None:
    """Any agent reads companies and segments (their contacts stay filtered by team)."""
    if agent_of(actor) is None and not is_admin(actor):
        raise NotFound("not found")


def _clean_domains(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise Invalid("domains must be a list", field="domains")
    domains = sorted({normalize_domain(str(d)) for d in raw if str(d).strip()})
    for domain in domains:
        if "." not in domain or " " in domain or len(domain) > 253:
            raise Invalid(f"not a domain: {domain!r}", field="domains")
    return domains


def do_save_company(actor: Actor, company_id: int | None, changes: dict[str, Any]) -> Company:
    """Create a company (`company_id` None) or change its name, notes, domains (the whole
    list) or attributes (typed ones validated; the whole set is replaced)."""
    check_may_manage_crm(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(f"cannot change {sorted(unknown)}", field=sorted(unknown)[0])
    if company_id is None and not str(changes.get("name", "")).strip():
        raise Invalid("a company needs a name", field="name")
    domains = _clean_domains(changes["domains"]) if "domains" in changes else None
    try:
        with transaction.atomic():
            company = _locked_or_new(company_id)
            _apply(company, changes)
            company.save()
            if domains is not None:
                _set_domains(company, domains)
            updated = CompanyUpdated(company_id=company.pk, fields=sorted(changes))
            events.record(updated, ticket=None, actor_id=actor.pk)
            return company
    except IntegrityError as exc:
        raise Invalid("that name or a domain belongs to another company", field="name") from exc


def _locked_or_new(company_id: int | None) -> Company:
    if company_id is None:
        return Company()
    company = Company.objects.select_for_update().filter(pk=company_id).first()
    if company is None:
        raise NotFound(f"company {company_id} not found")
    return company


def _apply(company: Company, changes: dict[str, Any]) -> None:
    if "name" in changes:
        name = str(changes["name"]).strip()[:200]
        if not name:
            raise Invalid("a company needs a name", field="name")
        company.name = name
    if "notes" in changes:
        company.notes = str(changes["notes"] or "")
    if "custom_attributes" in changes:
        if not isinstance(changes["custom_attributes"], dict):
            raise Invalid("custom_attributes must be an object", field="custom_attributes")
        company.custom_attributes = merge_values(
            AttributeEntity.COMPANY, {}, changes["custom_attributes"]
        )


def _set_domains(company: Company, domains: list[str]) -> None:
    CompanyDomain.objects.filter(company=company).exclude(domain__in=domains).delete()
    have = set(CompanyDomain.objects.filter(company=company).values_list("domain", flat=True))
    CompanyDomain.objects.bulk_create(
        [CompanyDomain(company=company, domain=d) for d in domains if d not in have]
    )


def do_delete_company(actor: Actor, company_id: int) -> None:
    """Delete a company; its contacts stay, without a company."""
    check_may_manage_crm(actor)
    with transaction.atomic():
        company = _locked_or_new(company_id)
        company.delete()
        deleted = CompanyUpdated(company_id=company_id, fields=[], deleted=True)
        events.record(deleted, ticket=None, actor_id=actor.pk)
