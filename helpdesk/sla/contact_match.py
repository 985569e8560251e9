"""Policy conditions on the ticket's contact: segments and typed custom attributes.

A policy may name contact segments (the contact must be in one of them) and
attribute conditions (all must hold). Both mean exactly what they mean on the
contacts page: segment membership is `helpdesk.crm.segments.members`, and an
attribute condition is `helpdesk.crm.filters.attribute_q`, asked of the one
contact in a single query per policy that has such conditions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from pydantic import ValidationError

from helpdesk.actions.errors import Invalid
from helpdesk.crm import attributes, segments
from helpdesk.crm.filters import AttributeCondition, Scalar, attribute_q
from helpdesk.digits import ascii_digits
from helpdesk.models import AttributeEntity, Contact, Segment
from helpdesk.sla.models import AttributeOp, SlaContactCondition

VALUELESS = {AttributeOp.SET.value, AttributeOp.UNSET.value}
COMPARISONS = {
    AttributeOp.GT.value,
    AttributeOp.GTE.value,
    AttributeOp.LT.value,
    AttributeOp.LTE.value,
}


@dataclass(frozen=True, slots=True)
class ContactConditions:
    """What a policy asks of the contact; empty asks nothing."""

    segments: tuple[Segment, ...] = ()
    attributes: tuple[AttributeCondition, ...] = ()
    broken: bool = False

    def __bool__(self) -> bool:
        return bool(self.segments or self.attributes or self.broken)


def typed_value(key: str, op: str, raw: str) -> Scalar:
    """The condition's value as the attribute is stored: a defined attribute's type (a
    number, a checkbox, an ISO date from a Jalali one...), else the text as typed.
    Raises Invalid for a value the attribute's type refuses."""
    if op in VALUELESS:
        return None
    defn = next((d for d in attributes.definitions(AttributeEntity.CONTACT) if d.key == key), None)
    if defn is None:
        return _number(raw) if op in COMPARISONS else raw.strip()
    value = attributes.clean_value(defn, raw)
    if isinstance(value, list):  # a list attribute: the condition names one element
        return str(value[0]) if value else None
    return value  # type: ignore[no-any-return]


def _number(raw: str) -> Scalar:
    """A free-form attribute compared by size: the number typed (Persian digits too)."""
    text = ascii_digits(raw.strip())
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return raw.strip()


def condition_of(row: SlaContactCondition) -> AttributeCondition | None:
    """A stored row as the CRM's condition (None for a row made invalid since)."""
    try:
        value = typed_value(row.key, row.op, row.value)
        return AttributeCondition(key=row.key, op=row.op, value=value)  # type: ignore[arg-type]
    except (Invalid, ValidationError):
        return None


def matches(contact_id: int | None, wanted: ContactConditions) -> bool:
    """Whether the contact meets every attribute condition and is in one of the segments."""
    if not wanted:
        return True
    if contact_id is None or wanted.broken:
        return False
    one = Contact.objects.filter(pk=contact_id)
    qs = one
    for cond in wanted.attributes:
        qs = qs.filter(attribute_q(cond))
    if wanted.segments:
        member = Q()
        for segment in wanted.segments:
            member |= Q(pk__in=segments.members(segment, one).values("pk"))
        qs = qs.filter(member)
    return qs.exists()
