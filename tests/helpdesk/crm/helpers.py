"""Builders for CRM tests: contacts with identities, attributes and tags, no tickets needed."""

from __future__ import annotations

from typing import Any

from helpdesk.models import Company, Contact, ContactIdentity


def contact(
    name: str,
    *,
    email: str = "",
    phone: str = "",
    tags: list[str] | None = None,
    attrs: dict[str, Any] | None = None,
    company: Company | None = None,
) -> Contact:
    """A contact as an import or ingest would leave it (identities normalized)."""
    c = Contact.objects.create(
        name=name, tags=sorted(tags or []), custom_attributes=attrs or {}, company=company
    )
    if email:
        ContactIdentity.objects.create(contact=c, kind="email", address=email.lower())
    if phone:
        ContactIdentity.objects.create(contact=c, kind="phone", address=phone)
    return c
