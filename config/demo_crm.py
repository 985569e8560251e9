"""The demo's customer records (issue 19): typed attributes, companies with domains,
tags and attribute values on the demo's contacts, and two segments.

Runs inside seed_demo's transaction, after the customers wrote in; everything goes
through the actions, as a supervisor would do it on the contacts pages.
"""

from __future__ import annotations

from typing import Any

from helpdesk.actions.attributes import do_save_attribute_definition, do_set_ticket_attributes
from helpdesk.actions.companies import do_save_company
from helpdesk.actions.contacts import do_set_contact_attributes, do_tag_contacts, do_update_contact
from helpdesk.actions.segments import do_save_segment
from helpdesk.models import ContactIdentity, Ticket

ATTRIBUTES: list[dict[str, Any]] = [
    {
        "entity": "contact",
        "key": "plan",
        "label": "Plan · طرح",
        "type": "list",
        "choices": ["gold", "silver", "free"],
    },
    {
        "entity": "contact",
        "key": "customer_since",
        "label": "Customer since · مشتری از",
        "type": "date",
    },
    {
        "entity": "contact",
        "key": "lifetime_value",
        "label": "Lifetime value · ارزش طول عمر",
        "type": "number",
    },
    {"entity": "contact", "key": "newsletter", "label": "Newsletter · خبرنامه", "type": "checkbox"},
    {
        "entity": "company",
        "key": "industry",
        "label": "Industry · صنعت",
        "type": "list",
        "choices": ["retail", "software", "logistics"],
    },
    {"entity": "company", "key": "website", "label": "Website · وب‌سایت", "type": "link"},
    {
        "entity": "ticket",
        "key": "order_number",
        "label": "Order number · شماره سفارش",
        "type": "text",
    },
]

COMPANIES: list[dict[str, Any]] = [
    {
        "name": "Acme Trading",
        "domains": ["acme.example"],
        "custom_attributes": {"industry": "retail", "website": "https://acme.example"},
    },
    {
        "name": "پارس نرم‌افزار",
        "domains": ["example.ir"],
        "custom_attributes": {"industry": "software"},
    },
]

# Email address -> (tags, attribute values typed as a person would, Jalali date included).
CONTACTS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "reza.karimi@example.ir": (
        ["vip"],
        {"plan": "gold", "customer_since": "۱۳۹۸/۰۲/۱۵", "lifetime_value": "۱۲۰۰۰۰۰۰"},
    ),
    "neda.h@example.ir": (["lead"], {"plan": "silver", "newsletter": "yes"}),
    "accounts@acme.example": (["vip"], {"plan": "gold", "customer_since": "2021-09-01"}),
    "jane.doe@example.com": ([], {"plan": "free", "newsletter": "no"}),
}


def seed_crm(admin: Any) -> None:
    """Attributes, companies (their email contacts join them), tags and values, segments."""
    for position, values in enumerate(ATTRIBUTES):
        do_save_attribute_definition(admin, None, {**values, "position": position})
    companies = [do_save_company(admin, None, values) for values in COMPANIES]
    by_domain = {d: c for c, v in zip(companies, COMPANIES, strict=True) for d in v["domains"]}
    for address, (tags, values) in CONTACTS.items():
        identity = ContactIdentity.objects.filter(kind="email", address=address).first()
        if identity is None:
            continue
        contact_id = identity.contact_id
        company = by_domain.get(address.rpartition("@")[2])
        if company is not None:
            do_update_contact(admin, contact_id, {"company": company})
        do_set_contact_attributes(admin, contact_id, values)
        if tags:
            do_tag_contacts(admin, [contact_id], tags)
        ticket = Ticket.objects.filter(contact_id=contact_id).order_by("id").first()
        if ticket is not None and address.endswith("example.ir"):
            do_set_ticket_attributes(admin, ticket.pk, {"order_number": f"A-{1000 + ticket.pk}"})
    do_save_segment(admin, None, name="VIP customers · مشتریان ویژه", definition={"tags": ["vip"]})
    do_save_segment(
        admin,
        None,
        name="Gold plan, open tickets · طرح طلایی با تیکت باز",
        definition={
            "attributes": [{"key": "plan", "op": "eq", "value": "gold"}],
            "has_open_tickets": True,
        },
        description="Customers to call first · مشتریانی که اول باید تماس گرفت",
    )
    do_save_segment(
        admin,
        None,
        name="Unhappy lately · ناراضی‌های اخیر",
        definition={"csat_max": 2, "surveyed_within_days": 90},
        description="Last CSAT 1 or 2 · آخرین رضایت ۱ یا ۲",
    )
