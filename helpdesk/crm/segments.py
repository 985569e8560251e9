"""Segments: saved contact filters, their members and live counts.

Other parts of the desk (NPS campaigns, reports, automation, exports) use
`members(segment)` and `count(segment)`; both cover every contact of the desk
(merged ones excluded), whatever the caller may read: callers showing contacts
to an agent narrow them with `helpdesk.staff.access.visible_contacts`.
"""

from __future__ import annotations

from django.db.models import QuerySet

from helpdesk.crm.filters import ContactFilter, apply_filter
from helpdesk.models import Contact, Segment


def definition(segment: Segment) -> ContactFilter:
    """The segment's saved filter, validated."""
    return ContactFilter.model_validate(segment.definition or {})


def members(segment: Segment, base: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    """The contacts in the segment now (unmerged), optionally within `base`."""
    qs = Contact.objects.all() if base is None else base
    return apply_filter(qs.filter(merged_into__isnull=True), definition(segment))


def count(segment: Segment, base: QuerySet[Contact] | None = None) -> int:
    """How many contacts are in the segment now (a live count, one query)."""
    return members(segment, base).count()
