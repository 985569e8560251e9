"""Finding tickets by text: subject, message text, contact name, address, number.

The one implementation behind the inbox's search box and the API's `q`.
Matching is case-insensitive substring (`icontains`), which PostgreSQL answers
from the trigram indexes of migration 0003 when the term is selective: the
matching ticket ids are collected first (a few index scans), then the page is
read among them. A term found in thousands of tickets (a common word) is
answered the other way round, walking the newest tickets until a page is full,
which is fast exactly because matches are everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from helpdesk.digits import ascii_digits
from helpdesk.identities import InvalidAddress, normalize_phone
from helpdesk.models import ContactIdentity, Message, Ticket

CANDIDATE_CAP = 2000


def ticket_number(q: str) -> int | None:
    """The number in "#123" or "123" (Persian digits too), else None."""
    text = ascii_digits(q).removeprefix("#").strip()
    if text.isascii() and text.isdigit() and len(text) <= 18 and int(text) >= 1:
        return int(text)
    return None


def as_phone(q: str) -> str | None:
    """`q` as an E.164 number when it looks like one (6+ digits that parse)."""
    if sum(c.isdigit() for c in ascii_digits(q)) < 6:
        return None
    try:
        return normalize_phone(q)
    except InvalidAddress:
        return None


def _everywhere(q: str) -> Q:
    identities = ContactIdentity.objects.filter(contact_id=OuterRef("contact_id"))
    return (
        Q(subject__icontains=q)
        | Q(contact__name__icontains=q)
        | Q(Exists(Message.objects.filter(ticket_id=OuterRef("pk"), text__icontains=q)))
        | Q(Exists(identities.filter(address__icontains=q)))
    )


def _candidates(q: str) -> QuerySet[Ticket, Any]:
    # .order_by() clears the models' default ordering, which UNION parts cannot carry.
    return (
        Ticket.objects.filter(subject__icontains=q)
        .order_by()
        .values("id")
        .union(
            Message.objects.filter(text__icontains=q).order_by().values("ticket_id"),
            Ticket.objects.filter(contact__name__icontains=q).order_by().values("id"),
            Ticket.objects.filter(contact__identities__address__icontains=q)
            .order_by()
            .values("id"),
        )
        .order_by()
    )


def _estimated_messages(q: str) -> int:
    """PostgreSQL's own estimate (from pg_trgm's statistics) of the messages matching `q`.

    About a millisecond, and it tells a selective term from a common word before
    either plan is paid for: collecting a million ids would take seconds.
    """
    sql, params = Message.objects.filter(text__icontains=q).values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)  # noqa: S608  (our own SQL)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def text_q(q: str) -> Q:
    """The condition for tickets matching the search text `q`."""
    q = q.strip()
    cond = _everywhere(q)
    if connection.vendor == "postgresql" and _estimated_messages(q) <= CANDIDATE_CAP:
        ids = [int(row["id"]) for row in _candidates(q)[: CANDIDATE_CAP + 1]]
        if len(ids) <= CANDIDATE_CAP:
            cond = Q(pk__in=ids)
    phone = as_phone(q)
    if phone:
        cond |= Q(Exists(ContactIdentity.objects.filter(contact_id=OuterRef("contact_id"),
                                                        address=phone)))  # fmt: skip
    number = ticket_number(q)
    if number is not None:
        cond |= Q(pk=number)
    return cond
