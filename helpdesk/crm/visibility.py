"""The contacts a user may see, shaped for fast list pages.

`helpdesk.staff.access.visible_contacts` is the rule (an agent sees the contacts
of their teams' tickets). As a subquery it leaves PostgreSQL a bad choice on a
list page at a million contacts: walk the contacts newest first and probe each
(slow when the team's contacts are sparse among the newest, e.g. after an
import), or hash every ticket of the team. A team's contacts are usually a few
thousand, so they are read first (one index scan of the team's tickets) and the
page is chosen among them by primary key; beyond `INLINE_MAX` the subquery stays.
"""

from __future__ import annotations

from django.db.models import QuerySet

from helpdesk.models import Contact, Ticket
from helpdesk.staff.access import agent_of, is_admin, team_ids, visible_contacts

INLINE_MAX = 20_000


def readable_contacts(user: object) -> QuerySet[Contact]:
    """Exactly `visible_contacts(user)`, as an id list when the user's teams are small."""
    if is_admin(user) or agent_of(user) is None:  # type: ignore[arg-type]
        return visible_contacts(user)  # type: ignore[arg-type]
    ids = list(
        Ticket.objects.filter(team_id__in=team_ids(user))  # type: ignore[arg-type]
        .values_list("contact_id", flat=True)
        .distinct()[: INLINE_MAX + 1]
    )
    if len(ids) > INLINE_MAX:
        return visible_contacts(user)  # type: ignore[arg-type]
    return Contact.objects.filter(id__in=ids)
