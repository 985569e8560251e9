"""Finding contacts by name, by any channel address, or by a phone number however typed.

Persian-aware like the knowledge base: both the stored name (`Contact.search_name`)
and the query go through `helpdesk.normalize` (Arabic ي/ك, Persian and Arabic
digits, diacritics), so "علي" finds "علی". A phone number in any Iranian form
(09121234567, 9121234567, +98 912 123 4567, 0098..., Persian digits) is turned
into E.164 and matched exactly; a shorter run of digits matches inside stored
numbers. Email addresses match case-insensitively. A public handle (a Telegram username)
is looked up by the channels that keep one (`IdentitySpec.handle_lookup`): the
identity's address is the user's numeric id, the username lives in the channel's
own chat rows and may change. "@sara_k" asks for the handle everywhere (lists,
filters, segments); a plain "sara_k" on the list pages is tried as a handle when
it matches no name or address (a probe of the chat table's UPPER(username) index).

On PostgreSQL every branch is answered from an index (trigram GIN on
`search_name` and on the upper-cased address, the identity's unique key), and
the branches are combined as a UNION of contact ids, so a search over a million
contacts never scans the table.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from helpdesk import channels
from helpdesk.digits import ascii_digits
from helpdesk.identities import PHONE
from helpdesk.models import Contact, ContactIdentity
from helpdesk.normalize import normalize
from helpdesk.ticket_search import as_phone

_DIGITS_ONLY = re.compile(r"^[\d\s()+\-.]+$")
# Trigram indexes need three characters; shorter queries match name prefixes only.
MIN_INFIX = 3
# A shorter run of digits is in too many numbers to be worth an index scan.
MIN_DIGITS = 5
# How many of the newest contacts a newest-first page searches before all of them.
WINDOW = 10_000
# On SQLite, a search matching fewer contacts than this is checked against an
# agent's slice contact by contact; a broader one walks the slice.
FEW = 500


def search_contacts(qs: QuerySet[Contact], q: str) -> QuerySet[Contact]:
    """Contacts of `qs` whose name or an identity's address contains `q`; a query that
    reads as a phone number also matches that number in E.164 form."""
    q = q.strip()
    if not q:
        return qs
    return qs.filter(id__in=matching_ids(q))


def matching_ids(q: str) -> QuerySet[Contact, Any]:
    """A subquery of the ids of every contact matching `q` (merged ones included)."""
    found = [Contact.objects.filter(cond).values("id") for cond in branches(q)]
    ids = found[0]
    for more in found[1:]:
        ids = ids.union(more)
    return ids


def top_ids(
    qs: QuerySet[Contact], q: str, order: tuple[str, ...], upto: int, *, whole: bool = False
) -> list[int]:
    """The ids of the first `upto` contacts of `qs` matching `q`, in `order` (all of
    its fields in one direction, e.g. ("-id",) or ("search_name", "id")).

    A list page needs only its first rows, so each branch of the search is asked
    for its own first `upto` in that order and the branches are merged here: the
    first rows of a union are among the first rows of its parts. `whole`: `qs` is
    (nearly) every contact (an admin's list), so newest-first pages try the newest
    contacts first (`_newest_first`); otherwise `qs` is an agent's slice: on
    PostgreSQL an indexed team array (helpdesk.crm.visibility) that the planner
    ANDs with the search's index, on SQLite the rule's subquery, where a rare
    match is found through the search's own index before the slice is walked
    (`_few`).
    A plain word that matches nobody's name or address is tried as a handle.
    """
    rows = _top_rows(qs, branches(q), order, upto, whole)
    if not rows and not q.startswith("@"):
        rows = _top_rows(qs, handle_branches(q), order, upto, whole)
    reverse = order[0].startswith("-")
    ranked = sorted(rows, key=lambda pk: rows[pk], reverse=reverse)
    return ranked[:upto]


def _top_rows(
    qs: QuerySet[Contact], conds: list[Q], order: tuple[str, ...], upto: int, whole: bool
) -> dict[int, tuple[Any, ...]]:
    names = [f.lstrip("-") for f in order]
    rows: dict[int, tuple[Any, ...]] = {}
    newest = None
    if whole and order == ("-id",):
        newest = Contact.objects.order_by("-id").values_list("id", flat=True).first()
    # On PostgreSQL an agent's slice is an indexed column (helpdesk.crm.visibility):
    # the planner ANDs it with the search's own index, so no slice walk to avoid.
    walks_slice = not whole and connection.vendor != "postgresql"
    for cond in conds:
        matching = qs.filter(cond).order_by(*order)
        if walks_slice:
            few = _few(cond)
            if few is not None:  # a rare match: check those few against the slice
                matching = matching.filter(id__in=few)
        elif newest is not None:
            first = _newest_first(matching, names, upto, newest)
            if len(first) == upto:  # this branch's page is all among the newest
                rows.update((row[0], row[1:]) for row in first)
                continue
        rows.update((row[0], row[1:]) for row in matching.values_list("id", *names)[:upto])
    return rows


def _few(cond: Q) -> list[int] | None:
    """Every contact matching `cond`, when there are fewer than FEW of them.

    An agent sees a slice of the contacts (their teams' tickets); where the slice
    is the rule's subquery (SQLite), walking it costs the same whatever the
    search, so a rare name, a number or an address is looked up in its own index
    first (no sort: the scan stops at FEW).
    """
    ids = list(Contact.objects.filter(cond).values_list("id", flat=True)[:FEW])
    return ids if len(ids) < FEW else None


def _newest_first(
    matching: QuerySet[Contact], names: list[str], upto: int, newest: int
) -> list[Any]:
    """The first `upto` rows of `matching` among the newest WINDOW contacts, or fewer.

    PostgreSQL underestimates how many names contain a common word (83,000 of a
    million contacts hold "maryam") and sorts every match for the page (100 ms).
    A common word fills the page within the newest few thousand contacts, a short
    walk of the primary key; a rare one does not, and its own index answers it.
    """
    return list(matching.filter(id__gt=newest - WINDOW).values_list("id", *names)[:upto])


def phone_kinds() -> list[str]:
    """The identity kinds whose addresses are phone numbers (normalized to E.164)."""
    return [
        kind
        for kind, spec in channels.identity_specs().items()
        if spec.normalizer.endswith(".normalize_phone")
    ] or [PHONE]


def branches(q: str) -> list[Q]:
    """The conditions a contact may match `q` by: its name, or one of its identities."""
    name = normalize(q)
    by_name = (
        Q(search_name__contains=name)
        if len(name) >= MIN_INFIX
        else (Q(search_name__startswith=name))
    )
    found = [by_name]
    identities = ContactIdentity.objects.all()
    digits = ascii_digits(q)
    if _DIGITS_ONLY.match(digits):
        # A phone number: exactly in E.164 when it parses as one, and as a run of
        # digits inside stored numbers (without the trunk "0" of local forms).
        bare = re.sub(r"\D", "", digits).lstrip("0")
        phone = as_phone(q)
        # With its kind, so the (kind, address) unique index answers.
        exact = identities.filter(kind__in=phone_kinds(), address=phone) if phone else None
        if exact is not None and exact.exists():
            # A whole number someone has: the unique index answers, no infix scan.
            return [Q(id__in=exact.values("contact_id"))]
        if len(bare) >= MIN_DIGITS:
            matches = identities.filter(address__icontains=bare).values("contact_id")
            found.append(Q(id__in=matches))
        return found
    if len(q) < MIN_INFIX:
        return found
    if "@" in q.strip("@"):
        exact = identities.filter(kind="email", address=q.strip().lower())
        if exact.exists():  # a whole address: its unique index answers
            return [Q(id__in=exact.values("contact_id"))]
    if q.startswith("@"):
        by_handle = handle_branches(q)
        if by_handle:  # "@name" is somebody's handle: that person, nobody else
            return by_handle
    found.append(Q(id__in=identities.filter(address__icontains=q).values("contact_id")))
    return found


def handle_branches(q: str) -> list[Q]:
    """Contacts whose public handle on a channel (a Telegram @username) is `q`, with
    or without its "@": each channel that keeps handles turns it into addresses of
    its identity kind, which the (kind, address) unique index then answers."""
    found = []
    for kind, lookup in channels.handle_lookups().items():
        addresses = lookup(q)
        if addresses:
            owners = ContactIdentity.objects.filter(kind=kind, address__in=addresses)
            found.append(Q(id__in=owners.values("contact_id")))
    return found
