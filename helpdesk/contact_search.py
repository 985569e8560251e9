"""Finding contacts by name, by any channel address, or by a phone number however typed.

Persian-aware like the knowledge base: both the stored name (`Contact.search_name`)
and the query go through `helpdesk.normalize` (Arabic ي/ك, Persian and Arabic
digits, diacritics), so "علي" finds "علی". A phone number in any Iranian form
(09121234567, 9121234567, +98 912 123 4567, 0098..., Persian digits) is turned
into E.164 and matched exactly; a shorter run of digits matches inside stored
numbers. Email addresses match case-insensitively; "@name" also searches the
identities' display names (where a channel keeps a username).

On PostgreSQL every branch is answered from an index (trigram GIN on
`search_name` and on the upper-cased address, the identity's unique key), and
the branches are combined as a UNION of contact ids, so a search over a million
contacts never scans the table.
"""

from __future__ import annotations

import re

from django.db.models import QuerySet

from helpdesk.digits import ascii_digits
from helpdesk.models import Contact, ContactIdentity
from helpdesk.normalize import normalize
from helpdesk.ticket_search import as_phone

_DIGITS_ONLY = re.compile(r"^[\d\s()+\-.]+$")
# Trigram indexes need three characters; shorter queries match name prefixes only.
MIN_INFIX = 3
# A shorter run of digits is in too many numbers to be worth an index scan.
MIN_DIGITS = 5


def search_contacts(qs: QuerySet[Contact], q: str) -> QuerySet[Contact]:
    """Contacts of `qs` whose name or an identity's address contains `q`; a query that
    reads as a phone number also matches that number in E.164 form."""
    q = q.strip()
    if not q:
        return qs
    return qs.filter(id__in=matching_ids(q))


def matching_ids(q: str) -> QuerySet[Contact, dict[str, int]]:
    """A subquery of the ids of every contact matching `q` (merged ones included)."""
    name = normalize(q)
    if len(name) >= MIN_INFIX:
        by_name = Contact.objects.filter(search_name__contains=name)
    else:
        by_name = Contact.objects.filter(search_name__startswith=name)
    ids = by_name.values("id")
    identities = ContactIdentity.objects.all()
    digits = ascii_digits(q)
    if _DIGITS_ONLY.match(digits):
        # A phone number: exactly in E.164 when it parses as one, and as a run of
        # digits inside stored numbers (without the trunk "0" of local forms).
        bare = re.sub(r"\D", "", digits).lstrip("0")
        branches = []
        phone = as_phone(q)
        if phone:
            branches.append(identities.filter(address=phone))
        if len(bare) >= MIN_DIGITS:
            branches.append(identities.filter(address__icontains=bare))
        for branch in branches:
            ids = ids.union(branch.values("contact_id"))
        return ids  # type: ignore[return-value]
    if len(q) < MIN_INFIX:
        return ids  # type: ignore[return-value]
    ids = ids.union(identities.filter(address__icontains=q).values("contact_id"))
    if q.startswith("@") and len(q) > MIN_INFIX:
        username = identities.filter(display_name__icontains=q[1:])
        ids = ids.union(username.values("contact_id"))
    return ids  # type: ignore[return-value]
