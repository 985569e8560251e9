"""The CRM actions' cases for tests/helpdesk/test_action_events.py (issue 19).

Each entry: action, arrange(world) -> the call to time, the event types it records.
Segments and attribute definitions are configuration: no audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpdesk.actions import attributes, companies, contact_create, contacts, imports, segments
from helpdesk.models import AttributeDefinition, Company, Segment
from tests.helpdesk.actions_helpers import open_ticket

Run = Callable[[], object]


def _set_attributes(w: Any) -> Run:
    t = open_ticket(w.inbox)
    return lambda: contacts.do_set_contact_attributes(w.agent, t.contact_id, {"plan": "gold"})


def _tag_contacts(w: Any) -> Run:
    t = open_ticket(w.inbox)
    return lambda: contacts.do_tag_contacts(w.agent, [t.contact_id], ["vip"])


def _save_company(w: Any) -> Run:
    return lambda: companies.do_save_company(w.admin, None, {"name": "Acme", "domains": ["a.io"]})


def _delete_company(w: Any) -> Run:
    company = Company.objects.create(name="Gone")
    return lambda: companies.do_delete_company(w.admin, company.pk)


def _save_segment(w: Any) -> Run:
    return lambda: segments.do_save_segment(w.admin, None, name="VIP", definition={"tags": ["v"]})


def _add_to_segment(w: Any) -> Run:
    t = open_ticket(w.inbox)
    segment = Segment.objects.create(name="List")
    return lambda: segments.do_add_to_segment(w.admin, segment.pk, [t.contact_id])


def _delete_segment(w: Any) -> Run:
    segment = Segment.objects.create(name="Old")
    return lambda: segments.do_delete_segment(w.admin, segment.pk)


def _save_definition(w: Any) -> Run:
    values = {"entity": "contact", "key": "plan", "label": "Plan", "type": "text"}
    return lambda: attributes.do_save_attribute_definition(w.admin, None, values)


def _delete_definition(w: Any) -> Run:
    defn = AttributeDefinition.objects.create(entity="ticket", key="x", label="X", type="text")
    return lambda: attributes.do_delete_attribute_definition(w.admin, defn.pk)


def _ticket_attributes(w: Any) -> Run:
    t = open_ticket(w.inbox)
    return lambda: attributes.do_set_ticket_attributes(w.agent, t.pk, {"order": "A-1"})


def _create_contact(w: Any) -> Run:
    return lambda: contact_create.do_create_contact(
        w.admin, name="New", identities=[("email", "new@example.com")]
    )


def _delete_contact(w: Any) -> Run:
    contact = contact_create.do_create_contact(w.admin, name="Spare")
    return lambda: contact_create.do_delete_contact(w.admin, contact.pk)


CSV = b"name,email\nKnown,customer@example.com\nNew,new@example.com\n"
MAP = {"name": "name", "email": "email"}


def _start_import(w: Any) -> Run:
    return lambda: imports.do_start_import(w.admin, "p.csv", CSV, MAP)


def _import_batch(w: Any) -> Run:
    open_ticket(w.inbox)  # customer@example.com has a ticket in team A
    job = imports.do_start_import(w.admin, "p.csv", CSV, MAP)
    return lambda: imports.do_import_batch(job.pk)


def _upload_import(w: Any) -> Run:
    return lambda: imports.do_upload_import(w.admin, "p.csv", CSV)


def _map_import(w: Any) -> Run:
    job = imports.do_upload_import(w.admin, "p.csv", CSV)
    return lambda: imports.do_map_import(w.admin, job.pk, MAP, dry_run=True)


CRM_CASES: dict[str, tuple[Callable[..., Any], Callable[[Any], Run], list[str]]] = {
    "contacts.do_set_contact_attributes": (
        contacts.do_set_contact_attributes,
        _set_attributes,
        ["contact.updated"],
    ),
    "contacts.do_tag_contacts": (contacts.do_tag_contacts, _tag_contacts, ["contact.updated"]),
    # A contact without tickets belongs to no team's list: no event (like ingest's).
    "contact_create.do_create_contact": (
        contact_create.do_create_contact,
        _create_contact,
        ["contact.created"],
    ),
    "contact_create.do_delete_contact": (contact_create.do_delete_contact, _delete_contact, []),
    "imports.do_start_import": (imports.do_start_import, _start_import, []),
    "imports.do_upload_import": (imports.do_upload_import, _upload_import, []),
    "imports.do_map_import": (imports.do_map_import, _map_import, []),
    # The known contact is updated (its team's lists hear of it); the new one is not.
    "imports.do_import_batch": (imports.do_import_batch, _import_batch, ["contact.updated"]),
    "companies.do_save_company": (companies.do_save_company, _save_company, ["company.updated"]),
    "companies.do_delete_company": (
        companies.do_delete_company,
        _delete_company,
        ["company.updated"],
    ),
    "segments.do_save_segment": (segments.do_save_segment, _save_segment, []),
    "segments.do_add_to_segment": (segments.do_add_to_segment, _add_to_segment, []),
    "segments.do_delete_segment": (segments.do_delete_segment, _delete_segment, []),
    "attributes.do_save_attribute_definition": (
        attributes.do_save_attribute_definition,
        _save_definition,
        [],
    ),
    "attributes.do_delete_attribute_definition": (
        attributes.do_delete_attribute_definition,
        _delete_definition,
        [],
    ),
    "attributes.do_set_ticket_attributes": (
        attributes.do_set_ticket_attributes,
        _ticket_attributes,
        ["ticket.attributes_changed"],
    ),
}
