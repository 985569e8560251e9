"""Which policy covers a ticket, and what it allows: read once per few seconds per process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from helpdesk.automation import conditions, config_cache
from helpdesk.models import BusinessHours, Segment, Ticket, TicketStatus
from helpdesk.sla import contact_match
from helpdesk.sla.business_time import Calendar
from helpdesk.sla.contact_match import ContactConditions
from helpdesk.sla.models import SlaContactCondition, SlaPolicy, SlaTarget, Target, TimeRule

DEFAULT_PAUSE = frozenset({TicketStatus.PENDING.value, TicketStatus.SNOOZED.value})


@dataclass(frozen=True, slots=True)
class Policy:
    """A policy as the clocks use it: budgets in seconds per priority and target."""

    id: int
    name: str
    conditions: tuple[dict[str, Any], ...]
    calendar: Calendar | None
    pause: frozenset[str]
    budgets: dict[int, dict[str, int | None]]
    contact: ContactConditions = ContactConditions()

    def budget(self, priority: int, target: str) -> int | None:
        return self.budgets.get(priority, {}).get(target)

    def covers(self, ticket: Ticket) -> bool:
        """Whether the rule editor's conditions and the contact's (segments, attributes)
        all hold; a condition that cannot be read (a deleted segment's filter) does not."""
        ctx = conditions.Context(ticket=ticket, message=None)
        try:
            held = all(conditions.holds(c, ctx) for c in self.conditions)
            return held and contact_match.matches(ticket.contact_id, self.contact)
        except (KeyError, TypeError, ValueError):
            return False

    @property
    def reads_contact(self) -> bool:
        """Whether a change of the contact may change what this policy covers."""
        fields = {str(c.get("field", "")) for c in self.conditions}
        return bool(self.contact) or any(f.startswith("contact.") for f in fields)


def _seconds(minutes: int | None) -> int | None:
    return None if minutes is None else int(minutes) * 60


def _load() -> list[Policy]:
    policies = SlaPolicy.objects.filter(enabled=True).select_related("business_hours")
    found = []
    related = policies.prefetch_related("targets", "segments", "contact_conditions")
    for p in related.order_by("position", "id"):
        budgets = {
            t.priority: {
                Target.FIRST_RESPONSE.value: _seconds(t.first_response_minutes),
                Target.NEXT_RESPONSE.value: _seconds(t.next_response_minutes),
                Target.RESOLUTION.value: _seconds(t.resolution_minutes),
            }
            for t in p.targets.all()
        }
        found.append(
            Policy(
                id=p.pk,
                name=p.name,
                conditions=tuple(p.conditions or []),
                calendar=Calendar.of(p.business_hours) if p.business_hours else None,
                pause=frozenset(p.pause_statuses or []),
                budgets=budgets,
                contact=_contact_conditions(p),
            )
        )
    return found


def _contact_conditions(policy: SlaPolicy) -> ContactConditions:
    rows = [contact_match.condition_of(row) for row in policy.contact_conditions.all()]
    return ContactConditions(
        segments=tuple(policy.segments.all()),
        attributes=tuple(r for r in rows if r is not None),
        # A value the attribute's type refuses now (its definition changed): the policy
        # covers nobody rather than more contacts than it was meant to.
        broken=None in rows,
    )


def enabled_policies() -> list[Policy]:
    """The enabled policies in order (cached for a few seconds; saves clear it)."""
    found: list[Policy] = config_cache.cached(("sla-policies", None), _load)
    return found


def tracking() -> bool:
    """Whether any enabled policy or time rule exists: without one, the clocks' hook does
    nothing (no query per event; a ticket gets its row on its next event once one exists)."""
    found: bool = config_cache.cached(
        ("sla-tracking", None),
        lambda: bool(enabled_policies()) or TimeRule.objects.filter(enabled=True).exists(),
    )
    return found


def by_id(policy_id: int | None) -> Policy | None:
    return next((p for p in enabled_policies() if p.id == policy_id), None)


def select(ticket: Ticket) -> Policy | None:
    """The first enabled policy, in order, whose conditions all hold for the ticket."""
    return next((p for p in enabled_policies() if p.covers(ticket)), None)


def due_soon_seconds() -> int:
    """How long before a due time a target counts as "due soon" (warned, listed)."""
    return int(getattr(settings, "HELPDESK_SLA_DUE_SOON_MINUTES", 30)) * 60


def pause_statuses(policy: Policy | None) -> frozenset[str]:
    return policy.pause if policy is not None else DEFAULT_PAUSE


for _model in (SlaPolicy, SlaTarget, BusinessHours, TimeRule, SlaContactCondition, Segment):
    post_save.connect(config_cache.clear, sender=_model, dispatch_uid=f"sla-save-{_model.__name__}")
    post_delete.connect(
        config_cache.clear, sender=_model, dispatch_uid=f"sla-delete-{_model.__name__}"
    )
m2m_changed.connect(config_cache.clear, sender=SlaPolicy.segments.through, dispatch_uid="sla-seg")
