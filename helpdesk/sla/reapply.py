"""Selecting the policy again when what it asks of the contact changes.

A contact's change (attributes, tags, language, name...: a `contact.updated` event)
or a merge re-selects the policy of the contact's open tickets once the change has
committed; a segment's saved filter changing does the same, in a task, for the
open tickets of its members and those whose policy names it. Each ticket is done
in its own transaction under its row lock, like any action: the SLA history gets
an `sla.applied` event (reason "contact" or "segment") when the policy or its
budgets change, and nothing when they do not.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.tasks import task
from django.utils import timezone

from helpdesk import events
from helpdesk.automation import config_cache
from helpdesk.crm import segments
from helpdesk.event_schemas import EventType
from helpdesk.models import Segment, Ticket, TicketEvent, TicketStatus
from helpdesk.sla import hooks, policies

logger = logging.getLogger(__name__)

CONTACT_EVENTS = {EventType.CONTACT_UPDATED.value, EventType.CONTACT_MERGED.value}


def reapply_tickets(ticket_ids: list[int], reason: str) -> int:
    """Select the policy of each active ticket again; returns how many changed policy or
    budgets (each in its own transaction, under the ticket's lock)."""
    changed = 0
    for ticket_id in ticket_ids:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().filter(
                pk=ticket_id, status__in=TicketStatus.active()
            )
            if locked.exists():
                changed += hooks.reapply(ticket_id, timezone.now(), reason)
    return changed


def _open_ticket_ids(contact_id: int) -> list[int]:
    active = Ticket.objects.filter(contact_id=contact_id, status__in=TicketStatus.active())
    return list(active.order_by("id").values_list("id", flat=True))


def reapply_contact(contact_id: int) -> int:
    """The contact changed: re-select the policy of its open tickets."""
    if not any(p.reads_contact for p in policies.enabled_policies()):
        return 0
    return reapply_tickets(_open_ticket_ids(contact_id), "contact")


def on_event(event: TicketEvent) -> None:
    """recorded_hooks: a contact event re-selects its tickets' policies after commit."""
    if event.type not in CONTACT_EVENTS:  # no query here: policies are read after commit
        return
    data = event.payload
    contact_id = data.get("merged_into") or data.get("contact_id")
    if isinstance(contact_id, int):
        transaction.on_commit(partial(_reapply_contact_logged, contact_id))


def _reapply_contact_logged(contact_id: int) -> None:
    try:
        reapply_contact(contact_id)
    except Exception:  # the contact's change is committed; its next change tries again
        logger.exception("re-selecting the SLA policies of contact %s failed", contact_id)


@task()
def reapply_segment(segment_id: int) -> int:
    """A segment's filter changed: re-select the policy of its members' open tickets and
    of the open tickets whose policy names it (they may have left it)."""
    # The worker's cached policies hold the segment as it was (up to TTL_SECONDS old).
    config_cache.clear()
    naming = [p.id for p in policies.enabled_policies() if _names(p, segment_id)]
    segment = Segment.objects.filter(pk=segment_id).first()
    if not naming or segment is None:
        return 0
    active = Ticket.objects.filter(status__in=TicketStatus.active())
    members = active.filter(contact__in=segments.members(segment).values("pk"))
    covered = active.filter(sla__policy_id__in=naming)
    ids = sorted({*members.values_list("id", flat=True), *covered.values_list("id", flat=True)})
    return reapply_tickets(ids, "segment")


def _names(policy: policies.Policy, segment_id: int) -> bool:
    return any(s.pk == segment_id for s in policy.contact.segments)


def _segment_saved(sender: type[Segment], instance: Segment, **kwargs: object) -> None:
    if kwargs.get("raw"):
        return
    transaction.on_commit(partial(_enqueue_if_named, instance.pk))


def _enqueue_if_named(segment_id: int) -> None:
    if any(_names(p, segment_id) for p in policies.enabled_policies()):
        reapply_segment.enqueue(segment_id)


def install() -> None:
    if on_event not in events.recorded_hooks:
        events.recorded_hooks.append(on_event)
    post_save.connect(_segment_saved, sender=Segment, dispatch_uid="sla-segment-saved")
