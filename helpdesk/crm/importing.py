"""CSV import of contacts: rows to normalized plans, deduplicated against the desk.

`parse_row` turns one CSV row into a `RowPlan` (identities normalized: emails
lower-cased, phones in E.164 from any Iranian form or Persian digits; typed
attributes validated) or raises `Rejected` with the reason.
`apply_plans` writes one batch: a plan whose identity is already known updates
that contact (tags and attributes merged, empty name/company/notes filled),
others create a contact with its identities; rows of the same person inside
the file fold into one contact. The caller (helpdesk.actions.imports) runs
each batch in one transaction together with the job's progress, so a crash
leaves whole batches only and the import resumes at the next row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from helpdesk.actions.errors import Invalid
from helpdesk.crm.attributes import clean_value
from helpdesk.crm.filters import normalize_tags
from helpdesk.identities import EMAIL, PHONE, InvalidAddress, normalize_address
from helpdesk.models import (
    AttributeDefinition,
    AttributeEntity,
    Company,
    Contact,
    ContactIdentity,
)
from helpdesk.models.contact import search_form

_TAG_SPLIT = re.compile(r"[,;|،]")


class Rejected(ValueError):
    """A row that cannot be imported; the message is the reason shown to the user."""


@dataclass
class RowPlan:
    number: int  # 1-based data row (the header is row 0)
    name: str = ""
    identities: list[tuple[str, str]] = field(default_factory=list)
    company: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    language: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    updated_ids: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def parse_row(
    number: int,
    header: list[str],
    row: list[str],
    mapping: dict[str, str],
    defs: dict[str, AttributeDefinition],
) -> RowPlan:
    """One CSV row as a plan; raises Rejected naming the first problem."""
    plan = RowPlan(number=number)
    cells = dict(zip(header, [c.strip() for c in row], strict=False))
    for column, target in mapping.items():
        value = cells.get(column, "")
        if not target or not value:
            continue
        _put(plan, target, value, defs)
    if not plan.identities and not plan.name:
        raise Rejected("no name, email or phone")
    return plan


def _put(plan: RowPlan, target: str, value: str, defs: dict[str, AttributeDefinition]) -> None:
    kind = {"email": EMAIL, "phone": PHONE}.get(target) or target.removeprefix("identity:")
    if target in ("email", "phone") or target.startswith("identity:"):
        for part in value.split(",") if kind == EMAIL else [value]:
            try:
                plan.identities.append((kind, normalize_address(kind, part)))
            except InvalidAddress as exc:
                raise Rejected(f"{target}: {exc}") from exc
    elif target == "name":
        plan.name = value[:200]
    elif target == "company":
        plan.company = value[:200]
    elif target == "tags":
        plan.tags = normalize_tags(_TAG_SPLIT.split(value))
    elif target == "notes":
        plan.notes = value
    elif target == "language":
        plan.language = value[:10]
    elif target.startswith("attr:"):
        key = target.removeprefix("attr:")
        defn = defs.get(key)
        try:
            plan.attributes[key] = clean_value(defn, value) if defn else value[:1000]
        except Invalid as exc:
            raise Rejected(exc.message) from exc


def apply_plans(plans: list[RowPlan], result: BatchResult) -> None:
    """Write a batch (inside the caller's transaction); identities decide who is who."""
    owners = _owners(plans)
    companies = _companies({p.company for p in plans if p.company})
    to_update: dict[int, Contact] = {}
    fresh: dict[tuple[str, str], RowPlan] = {}  # identity -> the new contact's plan
    new_plans: list[RowPlan] = []
    contacts = Contact.objects.select_for_update().in_bulk(
        sorted({c for c in owners.values()}), field_name="pk"
    )
    for plan in plans:
        known = {owners[i] for i in plan.identities if i in owners}
        folded = {id(fresh[i]) for i in plan.identities if i in fresh}
        if len(known) + len(folded) > 1 or (known and folded):
            result.rejected.append((plan.number, "its identities belong to different contacts"))
            continue
        if known:
            contact = contacts[known.pop()]
            _update(contact, plan, companies)
            to_update[contact.pk] = contact
        elif folded:
            first = next(fresh[i] for i in plan.identities if i in fresh)
            _fold(first, plan)
            for identity in plan.identities:
                fresh.setdefault(identity, first)
        else:
            new_plans.append(plan)
            for identity in plan.identities:
                fresh[identity] = plan
    _create(new_plans, companies, result)
    _save_updated(list(to_update.values()))
    result.updated += len(to_update)
    result.updated_ids.extend(to_update)


_FIELDS = ["name", "search_name", "tags", "custom_attributes", "company", "notes", "language"]


def _save_updated(contacts: list[Contact]) -> None:
    """Write the updated contacts in one statement.

    Django's bulk_update builds a CASE per field and row, which cost most of an
    import's time; on PostgreSQL one UPDATE ... FROM (VALUES ...) does the same.
    """
    if not contacts:
        return
    if connection.vendor != "postgresql":
        Contact.objects.bulk_update(contacts, _FIELDS)
        return
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(contacts))
    params: list[Any] = []
    for c in contacts:
        params += [c.pk, c.name, c.search_name, json.dumps(c.tags), json.dumps(c.custom_attributes)]
        params += [c.company_id, c.notes, c.language]
    # Only "%s" placeholders are interpolated below; every value is a parameter.
    sql = (
        "UPDATE helpdesk_contact AS c SET name = v.name, search_name = v.search_name, "  # noqa: S608
        "tags = v.tags::jsonb, custom_attributes = v.attrs::jsonb, "
        "company_id = v.company_id::bigint, notes = v.notes, language = v.language, "
        "updated_at = now() "
        f"FROM (VALUES {values}) AS v(id, name, search_name, tags, attrs, company_id, notes, "
        "language) WHERE c.id = v.id::bigint"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _owners(plans: list[RowPlan]) -> dict[tuple[str, str], int]:
    by_kind: dict[str, set[str]] = {}
    for plan in plans:
        for kind, address in plan.identities:
            by_kind.setdefault(kind, set()).add(address)
    owners: dict[tuple[str, str], int] = {}
    for kind, addresses in by_kind.items():
        rows = ContactIdentity.objects.filter(kind=kind, address__in=addresses).values_list(
            "address", "contact_id", "contact__merged_into_id"
        )
        for address, contact_id, merged_into in rows:
            owners[(kind, address)] = merged_into or contact_id
    return owners


def _companies(names: set[str]) -> dict[str, int]:
    """Company id by name (case-insensitive), creating the missing ones."""
    if not names:
        return {}
    found = {c.name.lower(): c.pk for c in Company.objects.filter(name__in=names)}
    for name in names:
        if name.lower() not in found:
            company, _created = Company.objects.get_or_create(name=name)
            found[name.lower()] = company.pk
    return {n: found[n.lower()] for n in names}


def _update(contact: Contact, plan: RowPlan, companies: dict[str, int]) -> None:
    if plan.name and (not contact.name or "@" in contact.name or contact.name.startswith("+")):
        contact.name = plan.name
        contact.search_name = search_form(plan.name)
    contact.tags = normalize_tags([*(contact.tags or []), *plan.tags])
    contact.custom_attributes = {**(contact.custom_attributes or {}), **plan.attributes}
    if plan.company and contact.company_id is None:
        contact.company_id = companies[plan.company]
    if plan.notes and not contact.notes:
        contact.notes = plan.notes
    if plan.language and not contact.language:
        contact.language = plan.language


def _fold(first: RowPlan, other: RowPlan) -> None:
    first.name = first.name or other.name
    first.identities += [i for i in other.identities if i not in first.identities]
    first.tags = normalize_tags([*first.tags, *other.tags])
    first.attributes = {**first.attributes, **other.attributes}
    first.company = first.company or other.company
    first.notes = first.notes or other.notes


def _create(plans: list[RowPlan], companies: dict[str, int], result: BatchResult) -> None:
    created = Contact.objects.bulk_create(
        [
            Contact(
                name=(name := p.name or p.identities[0][1]),
                search_name=search_form(name),
                tags=p.tags,
                custom_attributes=p.attributes,
                company_id=companies.get(p.company),
                notes=p.notes,
                language=p.language,
            )
            for p in plans
        ]
    )
    ContactIdentity.objects.bulk_create(
        [
            ContactIdentity(contact=c, kind=kind, address=address)
            for c, p in zip(created, plans, strict=True)
            for kind, address in p.identities
        ]
    )
    result.created += len(created)


def attribute_definitions() -> dict[str, AttributeDefinition]:
    """The contact attribute definitions by key (read once per import)."""
    return {d.key: d for d in AttributeDefinition.objects.filter(entity=AttributeEntity.CONTACT)}


def rejected_csv(header: list[str], rows: list[tuple[list[str], str]], *, with_header: bool) -> str:
    """Rejected rows as CSV text: the original cells and a "reason" column."""
    out = io.StringIO()
    writer = csv.writer(out)
    if with_header:
        writer.writerow([*header, "reason"])
    for cells, reason in rows:
        writer.writerow([*cells, reason])
    return out.getvalue()
