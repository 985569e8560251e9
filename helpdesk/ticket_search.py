"""Finding tickets by text: subject, message text, contact name, address, number.

The one implementation behind the inbox's search box and the API's `q`.
Matching is case-insensitive substring (`icontains`), which PostgreSQL answers
from the trigram indexes of migration 0003 when the term is selective: the
matching ticket ids are collected first (a few index scans), then the page is
read among them. A term found in thousands of tickets (a common word) is
answered the other way round, walking the newest tickets until a page is full,
which is fast exactly because matches are everywhere.

A selective term often has a common part: `SKU-4173` or `کالا4173` in a desk
where every message names a SKU. The trigram index would read the long posting
lists of `SKU`'s trigrams to intersect them with the short ones of `4173`, so the
message text is looked up by its rare parts alone and the whole term is then
checked on those few messages (`strpos`, the same test as `icontains`).

Which way a term goes is decided by the planner's estimate of its messages,
which is only reliable from about 1 % up (the statistics keep a histogram of a
hundred values): a term found in none of them is estimated at a floor, whatever
its true count. So the collection is bounded (`CANDIDATE_CAP` ids) and the walk
is the fallback; the walk is written so that PostgreSQL must take it in page
order (see `_walk_q`), never a hash of every matching message.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex, Upper

from helpdesk.digits import ascii_digits
from helpdesk.identities import PHONE, InvalidAddress, normalize_phone
from helpdesk.models import Contact, ContactIdentity, Message, Ticket

# At most this many ticket ids are collected for a term the estimate calls rare
# (a collection costs about one heap page per matching message; past this the
# walk in page order is cheaper for every page size: docs/BENCHMARKS.md).
CANDIDATE_CAP = 5000
# How many parts of a term (the longest) have their frequency estimated.
MAX_PARTS = 4


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


# Runs of letters or of digits: the parts of a term that have trigrams of their
# own (pg_trgm splits words at anything else, and a rare number often follows a
# common prefix within one word, as in کالا4173). Four characters at least: a
# part of three is a single trigram, seldom rarer than the whole term.
_PARTS = re.compile(r"[^\W\d_]{4,}|\d{4,}")


def _parts(q: str) -> list[str]:
    """The distinct letter or digit runs of `q` long enough to be selective, as typed.

    Not case-folded here: icontains compares UPPER() of both sides in the
    database, and Python's upper() differs from it (ß becomes SS).
    """
    return [p for p in dict.fromkeys(_PARTS.findall(q)) if p != q]


def _messages_matching(q: str, rare_parts: list[str]) -> QuerySet[Any, Any]:
    messages = Message.objects.order_by()
    if not rare_parts:
        return messages.filter(text__icontains=q).values("ticket_id")
    # Every message containing `q` contains each of its parts, so the index
    # conditions on the parts find a superset; strpos (which no index answers,
    # so PostgreSQL applies it to those rows only) keeps the messages with `q`.
    for part in rare_parts:
        messages = messages.filter(text__icontains=part)
    found = StrIndex(Upper("text"), Upper(Value(q)))
    return messages.alias(found=found).filter(found__gt=0).values("ticket_id")


def _candidates(q: str, rare_parts: list[str], phone: str | None) -> QuerySet[Ticket, Any]:
    # .order_by() clears the models' default ordering, which UNION parts cannot carry.
    tickets = Ticket.objects.order_by()
    branches = [
        _messages_matching(q, rare_parts),
        tickets.filter(contact__name__icontains=q).values("id"),
        tickets.filter(contact__identities__address__icontains=q).values("id"),
    ]
    if phone:  # the number as stored (E.164), whatever way it was typed
        # With its kind, so the (kind, address) unique index finds it (not a scan).
        branches.append(
            tickets.filter(
                contact__identities__kind=PHONE, contact__identities__address=phone
            ).values("id")
        )
    return tickets.filter(subject__icontains=q).values("id").union(*branches).order_by()


def _estimated_messages(terms: list[str]) -> list[int]:
    """PostgreSQL's own estimates of the messages containing each of `terms`.

    One EXPLAIN for all (each term an InitPlan of its own), about half a
    millisecond, and it tells a selective term from a common word before either
    plan is paid for: collecting a million ids would take seconds. The estimate
    comes from the statistics of the trigram index's expression (a sample of the
    messages): a term absent from the sample is estimated at the planner's floor.
    """
    selects: list[str] = []
    params: list[Any] = []
    for term in terms:
        sql, term_params = (
            Message.objects.filter(text__icontains=term).order_by().values("id").query
        ).sql_with_params()
        selects.append(f"ARRAY({sql})")
        params.extend(term_params)
    with connection.cursor() as cursor:
        # Our own SQL: Django compiled each SELECT, the terms are bound parameters.
        cursor.execute("EXPLAIN (FORMAT JSON) SELECT " + ", ".join(selects), params)  # noqa: S608
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    init_plans = plan[0]["Plan"].get("Plans", [])
    init_plans.sort(key=lambda p: int(re.findall(r"\d+", p.get("Subplan Name", "0"))[0]))
    if len(init_plans) != len(terms):  # a plan shape this code does not know
        return [CANDIDATE_CAP + 1] * len(terms)  # treat every term as common
    return [int(p["Plan Rows"]) for p in init_plans]


def _candidate_ids(q: str, phone: str | None) -> list[int] | None:
    """The ids of the tickets matching a selective `q` (PostgreSQL), else None."""
    parts = sorted(_parts(q), key=len, reverse=True)[:MAX_PARTS]
    estimate, *estimates = _estimated_messages([q, *parts])
    if estimate > CANDIDATE_CAP:
        return None
    rare = [p for p, rows in zip(parts, estimates, strict=True) if rows <= CANDIDATE_CAP]
    if not rare and not _PARTS.fullmatch(q):
        # No run of four letters or digits to look up: the index would read the
        # postings of short, common trigrams ("SKU-199": every message's "SKU",
        # 520 ms at 5M messages) and the estimate is a floor below about 1 %.
        return None
    ids = [int(row["id"]) for row in _candidates(q, rare, phone)[: CANDIDATE_CAP + 1]]
    return ids if len(ids) <= CANDIDATE_CAP else None


def _id_in(ids: list[int]) -> Q:
    # One array joined by primary key: with the ids as a list of literals (or
    # the id query as a subquery) PostgreSQL reads the caller's whole team
    # (50,000 index entries) to intersect it with a few hundred ids. Sent as
    # the text of an array (our own integers): the driver adapts a list of two
    # thousand ints element by element.
    array = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (array,)))  # noqa: S611  (bound)


def _walk_q(q: str, phone: str | None, number: int | None) -> Q:
    """The condition for a term in many messages, checked ticket by ticket in page order.

    Contacts and addresses are looked up once (their trigram indexes, hashed),
    the subject on the ticket row itself. The messages are an EXISTS per ticket
    that PostgreSQL may not turn into a hash of every matching message: with
    `OFFSET 0` it cannot pull the subquery up, so the ordered index walk stops
    as soon as the page is full (at 100,000 tickets a hash of "refund"'s
    100,000 messages took 690 ms, the walk 10 ms).
    """
    contacts = Contact.objects.filter(name__icontains=q).values("id")
    identities = ContactIdentity.objects.filter(address__icontains=q).values("contact_id")
    pattern = "%" + connection.ops.prep_for_like_query(q) + "%"
    table = connection.ops.quote_name(Ticket._meta.db_table)
    messages = RawSQL(  # noqa: S611  (the pattern is bound)
        # Our own SQL (constant table names), the pattern a bound parameter.
        f"EXISTS (SELECT 1 FROM {Message._meta.db_table} m WHERE m.ticket_id = {table}.id "  # noqa: S608
        "AND UPPER(m.text::text) LIKE UPPER(%s) OFFSET 0)",
        (pattern,),
        output_field=BooleanField(),
    )
    cond = (
        Q(subject__icontains=q)
        | Q(contact_id__in=contacts)
        | Q(contact_id__in=identities)
        | Q(messages)
    )
    if phone:
        phones = ContactIdentity.objects.filter(kind=PHONE, address=phone)
        cond |= Q(contact_id__in=phones.values("contact_id"))
    if number is not None:
        cond |= Q(pk=number)
    return cond


def text_q(q: str) -> Q:
    """The condition for tickets matching the search text `q`."""
    q = q.strip()
    phone = as_phone(q)
    number = ticket_number(q)
    if connection.vendor == "postgresql":
        ids = _candidate_ids(q, phone)
        if ids is None:
            return _walk_q(q, phone, number)
        return _id_in([*ids, number] if number is not None else ids)
    cond = _everywhere(q)
    if phone:
        cond |= Q(
            Exists(
                ContactIdentity.objects.filter(
                    contact_id=OuterRef("contact_id"), kind=PHONE, address=phone
                )
            )
        )
    if number is not None:
        cond |= Q(pk=number)
    return cond
