"""Segments: saved contact filters, their members and live counts.

Other parts of the desk (NPS campaigns, reports, automation, exports) use
`members(segment)` and `count(segment)`; both cover every contact of the desk
(merged ones excluded), whatever the caller may read: callers showing contacts
to an agent narrow them with `helpdesk.staff.access.visible_contacts`.

A segment of "contacts with an open ticket" (a broad one: a tenth of a million
contacts in bench/crm_contacts.py) is counted from the open tickets' contact index
instead (`ticket_open_contact_idx`, sorted, so no hashing): the contacts' own rows
are never read, only the few merged ones are looked up to leave them out
(docs/BENCHMARKS.md, "Contacts at a million").

A segment of tags and attribute comparisons (eq, gt, gte, lt, lte; a company may
join them), counted over every contact, is read from the facet tables that
PostgreSQL triggers keep beside the contacts (`helpdesk.crm.facets`, migration
0022): one index-only scan per condition, the contacts' rows never read, the
count as exact and live as the members' (a quarter of a million `plan = gold`
members read 1,500 index pages instead of the whole contacts table). SQLite, an
agent's base and every other condition keep the members' `COUNT(*)`.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from helpdesk.crm import facets
from helpdesk.crm.filters import ContactFilter, apply_filter
from helpdesk.models import Contact, Segment, Ticket, TicketStatus

# The one definition counted from the tickets' side (see the module's docstring).
_OPEN_TICKETS = ContactFilter(has_open_tickets=True)


def definition(segment: Segment) -> ContactFilter:
    """The segment's saved filter, validated."""
    return ContactFilter.model_validate(segment.definition or {})


def members(segment: Segment, base: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    """The contacts in the segment now (unmerged), optionally within `base`."""
    qs = Contact.objects.all() if base is None else base
    return apply_filter(qs.filter(merged_into__isnull=True), definition(segment))


def count(segment: Segment, base: QuerySet[Contact] | None = None) -> int:
    """How many contacts are in the segment now (a live count, one query)."""
    everyone = base is None or (base.model is Contact and not base.query.where)
    flt = definition(segment)
    if everyone and flt == _OPEN_TICKETS:
        return _with_open_tickets()
    if everyone and facets.answers(flt):
        counted = facets.count(flt)
        if counted is not None:
            return counted
    return members(segment, base).count()


def _with_open_tickets() -> int:
    """How many unmerged contacts have an open ticket, read from the tickets' index."""
    merged = Contact.objects.filter(pk=OuterRef("contact_id"), merged_into__isnull=False)
    tickets = Ticket.objects.filter(status__in=TicketStatus.active()).exclude(Exists(merged))
    return tickets.order_by().values("contact_id").distinct().count()
