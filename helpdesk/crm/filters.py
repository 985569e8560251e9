"""Contact filters: the one definition behind the contacts page, the API and segments.

A `ContactFilter` is plain JSON (a segment stores it), validated strictly, and
`apply_filter` turns it into a queryset condition. Every condition is chosen to
use an index on PostgreSQL at a million contacts: tags and attribute equality
by JSON containment (GIN), the search through `helpdesk.contact_search`, the
company by its foreign key, channels and activity through semi-joins.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from helpdesk.contact_search import search_contacts
from helpdesk.crm.survey_filters import NpsGroup, survey_q
from helpdesk.models import Contact, ContactIdentity, Ticket, TicketStatus
from helpdesk.tag_lookup import tag_q

type Operator = Literal["eq", "ne", "contains", "gt", "gte", "lt", "lte", "set", "unset"]
type Scalar = str | int | float | bool | None

# Contacts a segment lists by hand ("add to segment" on the contacts page).
MAX_INCLUDED = 10000

OPERATORS: tuple[Operator, ...] = ("eq", "ne", "contains", "gt", "gte", "lt", "lte", "set", "unset")


class AttributeCondition(BaseModel):
    """One condition on a custom attribute: `key` `op` `value`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,49}$")
    op: Operator = "eq"
    value: Scalar = None


class ContactFilter(BaseModel):
    """What a segment saves and the contacts page filters by (all conditions AND-ed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str = Field(default="", max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=20)
    channel: str = Field(default="", max_length=16)
    company_id: int | None = None
    attributes: list[AttributeCondition] = Field(default_factory=list, max_length=20)
    seen_within_days: int | None = Field(default=None, ge=0, le=36500)
    not_seen_for_days: int | None = Field(default=None, ge=0, le=36500)
    has_open_tickets: bool | None = None
    # The latest CSAT answer (1-5) within these bounds; the latest NPS answer's group;
    # any survey answered in the last N days (helpdesk.crm.survey_filters).
    csat_min: int | None = Field(default=None, ge=1, le=5)
    csat_max: int | None = Field(default=None, ge=1, le=5)
    nps: NpsGroup | None = None
    surveyed_within_days: int | None = Field(default=None, ge=0, le=36500)
    # Contacts in the result whatever the conditions above (a hand-made list); with
    # no condition at all, the result is exactly these contacts.
    include_ids: list[int] = Field(default_factory=list, max_length=MAX_INCLUDED)

    def conditions(self) -> ContactFilter:
        """This filter without its hand-picked contacts."""
        return self.model_copy(update={"include_ids": []})

    def has_conditions(self) -> bool:
        """Whether anything but hand-picked contacts narrows the result."""
        return self.conditions() != ContactFilter()


def apply_filter(qs: QuerySet[Contact], flt: ContactFilter) -> QuerySet[Contact]:
    """`qs` narrowed to the contacts matching every condition of `flt` (or listed in its
    `include_ids`)."""
    if flt.include_ids:
        if not flt.has_conditions():
            return qs.filter(id__in=flt.include_ids)
        matching = _conditions(Contact.objects.all(), flt.conditions()).values("id")
        return qs.filter(Q(id__in=matching) | Q(id__in=flt.include_ids))
    return _conditions(qs, flt)


def _conditions(qs: QuerySet[Contact], flt: ContactFilter) -> QuerySet[Contact]:
    if flt.q.strip():
        qs = search_contacts(qs, flt.q.strip())
    for tag in normalize_tags(flt.tags):
        qs = qs.filter(tag_q("tags", tag))
    if flt.channel:
        kinds = ContactIdentity.objects.filter(contact_id=OuterRef("pk"), kind=flt.channel)
        qs = qs.filter(Exists(kinds))
    if flt.company_id is not None:
        qs = qs.filter(company_id=flt.company_id)
    for cond in flt.attributes:
        qs = qs.filter(attribute_q(cond))
    tickets = Ticket.objects.filter(contact_id=OuterRef("pk"))
    now = timezone.now()
    if flt.seen_within_days is not None:
        since = now - timedelta(days=flt.seen_within_days)
        qs = qs.filter(Exists(tickets.filter(last_message_at__gte=since)))
    if flt.not_seen_for_days is not None:
        since = now - timedelta(days=flt.not_seen_for_days)
        qs = qs.exclude(Exists(tickets.filter(last_message_at__gte=since)))
    if flt.has_open_tickets is not None:
        open_ = Exists(tickets.filter(status__in=TicketStatus.active()))
        qs = qs.filter(open_) if flt.has_open_tickets else qs.exclude(open_)
    surveys = survey_q(flt.csat_min, flt.csat_max, flt.nps, flt.surveyed_within_days)
    if surveys:
        qs = qs.filter(surveys)
    return qs


def attribute_q(cond: AttributeCondition, field: str = "custom_attributes") -> Q:
    """The condition on one key of a JSON attributes column (contacts, companies, tickets).

    Equality is JSON containment so PostgreSQL answers it from the GIN index;
    comparisons read the value at the key (numbers compare as numbers, ISO dates
    as text, which orders them correctly).
    """
    path = f"{field}__{cond.key}"
    if cond.op in ("eq", "ne"):
        # SQLite has no JSON containment (the segments page failed there): the value at the key.
        if connection.features.supports_json_field_contains:
            equal = Q(**{f"{field}__contains": {cond.key: cond.value}})
            return equal if cond.op == "eq" else ~equal
        # A contact without the key is "not equal" too, as with containment.
        same = Q(**{path: cond.value})
        return same if cond.op == "eq" else ~Q(**{f"{field}__has_key": cond.key}) | ~same
    if cond.op == "set":
        return Q(**{f"{field}__has_key": cond.key}) & ~Q(**{path: None}) & ~Q(**{path: ""})
    if cond.op == "unset":
        return ~Q(**{f"{field}__has_key": cond.key}) | Q(**{path: None}) | Q(**{path: ""})
    if cond.op == "contains":
        return Q(**{f"{path}__icontains": str(cond.value or "")})
    return Q(**{f"{path}__{cond.op}": cond.value})


def normalize_tags(tags: list[str]) -> list[str]:
    """Tags as stored: trimmed, lower case, unique, sorted (like ticket tags)."""
    return sorted({t.strip().lower()[:50] for t in tags if t.strip()})
