"""Companies by email domain: a new email contact joins the company owning its domain."""

from __future__ import annotations

from collections.abc import Iterable

from helpdesk.models import CompanyDomain


def domain_of(address: str) -> str:
    """The lower-case domain of an email address ("" when it has none)."""
    _local, at, domain = address.strip().rpartition("@")
    return domain.lower().strip(".") if at else ""


def normalize_domain(raw: str) -> str:
    """A domain as stored: lower case, no scheme, "@", "www." or trailing dot."""
    text = raw.strip().lower()
    for prefix in ("https://", "http://", "@", "www."):
        text = text.removeprefix(prefix)
    return text.split("/", 1)[0].strip(".")


def companies_by_domain(addresses: Iterable[str]) -> dict[str, int]:
    """Company id per email address whose domain a company owns (one query)."""
    domains = {address: domain_of(address) for address in addresses}
    wanted = {d for d in domains.values() if d}
    if not wanted:
        return {}
    owners = dict(
        CompanyDomain.objects.filter(domain__in=wanted).values_list("domain", "company_id")
    )
    return {a: owners[d] for a, d in domains.items() if d in owners}
