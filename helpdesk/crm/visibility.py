"""The contacts a user may see, for the CRM's lists and counts: one hook to tune.

`helpdesk.staff.access.visible_contacts` is the rule (an agent sees the contacts of
their teams' tickets). Reading a team's contact ids first and passing them as a
list was tried and measured slower at a million contacts (planning a 10,000-value
IN list costs more than the semi-join it replaces: docs/BENCHMARKS.md), so this
is the rule's subquery as it is.
"""

from __future__ import annotations

from django.db.models import QuerySet

from helpdesk.models import Contact
from helpdesk.staff.access import AnyUser, visible_contacts


def readable_contacts(user: AnyUser) -> QuerySet[Contact]:
    """Exactly `visible_contacts(user)`."""
    return visible_contacts(user)
