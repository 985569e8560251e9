"""Ticket actions: assignment, status, priority, tags, snooze, merge."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.actions.common import Actor, check_manage, lock_ticket, save_ticket
from helpdesk.actions.errors import Invalid
from helpdesk.event_schemas import (
    TicketAssigned,
    TicketMerged,
    TicketPriorityChanged,
    TicketStatusChanged,
    TicketTagsChanged,
    TicketTeamChanged,
)
from helpdesk.models import Message, Priority, Ticket, TicketStatus
from helpdesk.staff.access import agent_of, can_read_ticket

MAX_TAGS = 30
MAX_TAG_LENGTH = 50


def do_assign(
    actor: Actor, ticket_id: int, assignee_id: int | None, *, expected_version: int | None = None
) -> Ticket:
    """Assign the ticket to `assignee_id` (None unassigns).

    Agents may claim an unassigned ticket or unassign themselves; assigning
    someone else, or taking a ticket from its assignee, needs supervisor
    rights. The assignee must be able to read the ticket.
    """
    with transaction.atomic():
        ticket = lock_ticket(actor, ticket_id, expected_version)
        previous = ticket.assignee_id
        if assignee_id == previous:
            return ticket
        # Taking over a colleague's ticket unassigns them: that is management too.
        self_service = (assignee_id == actor.pk and previous is None) or (
            assignee_id is None and previous == actor.pk
        )
        if not self_service:
            check_manage(actor, ticket)
        if assignee_id is not None:
            assignee = get_user_model().objects.filter(pk=assignee_id).first()
            if assignee is None or agent_of(assignee) is None:
                raise Invalid(f"agent {assignee_id} does not exist", field="assignee_id")
            if not can_read_ticket(assignee, ticket):
                raise Invalid("the assignee is not in this ticket's team", field="assignee_id")
        ticket.assignee_id = assignee_id
        fields = ["assignee"]
        if assignee_id is not None and ticket.status == TicketStatus.NEW:
            ticket.status = TicketStatus.OPEN
            fields.append("status")
        save_ticket(ticket, fields)
        assigned = TicketAssigned(
            ticket_id=ticket.pk, assignee_id=assignee_id, previous_assignee_id=previous
        )
        events.record(assigned, ticket=ticket, actor_id=actor.pk)
        return ticket


def do_claim(actor: Actor, ticket_id: int) -> Ticket:
    """Assign the ticket to the actor."""
    return do_assign(actor, ticket_id, actor.pk)


def do_unassign(actor: Actor, ticket_id: int) -> Ticket:
    """Remove the ticket's assignee."""
    return do_assign(actor, ticket_id, None)


def do_set_status(
    actor: Actor,
    ticket_id: int,
    status: str,
    *,
    snoozed_until: datetime | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Change the status; `snoozed` needs a time in the future."""
    if status not in TicketStatus.values:
        raise Invalid(f"unknown status {status!r}", field="status")
    if snoozed_until is not None and timezone.is_naive(snoozed_until):
        raise Invalid("snoozed_until needs a time zone", field="snoozed_until")
    if status == TicketStatus.SNOOZED and (
        snoozed_until is None or snoozed_until <= timezone.now()
    ):
        raise Invalid("snooze needs a time in the future", field="snoozed_until")
    with transaction.atomic():
        ticket = lock_ticket(actor, ticket_id, expected_version)
        previous = ticket.status
        if previous == status and ticket.snoozed_until == snoozed_until:
            return ticket
        ticket.status = status
        ticket.snoozed_until = snoozed_until if status == TicketStatus.SNOOZED else None
        ticket.resolved_at = timezone.now() if status == TicketStatus.RESOLVED else None
        if status == TicketStatus.CLOSED:
            ticket.resolved_at = ticket.resolved_at or timezone.now()
        save_ticket(ticket, ["status", "snoozed_until", "resolved_at"])
        changed = TicketStatusChanged(
            ticket_id=ticket.pk,
            status=status,
            previous_status=previous,
            snoozed_until=ticket.snoozed_until,
        )
        events.record(changed, ticket=ticket, actor_id=actor.pk)
        return ticket


def do_snooze(actor: Actor, ticket_id: int, until: datetime) -> Ticket:
    """Snooze the ticket until `until` (it wakes up as open)."""
    return do_set_status(actor, ticket_id, TicketStatus.SNOOZED, snoozed_until=until)


def do_set_priority(
    actor: Actor, ticket_id: int, priority: int, *, expected_version: int | None = None
) -> Ticket:
    """Change the ticket's priority."""
    if priority not in Priority.values:
        raise Invalid(f"priority must be one of {Priority.values}", field="priority")
    with transaction.atomic():
        ticket = lock_ticket(actor, ticket_id, expected_version)
        previous = ticket.priority
        if previous == priority:
            return ticket
        ticket.priority = priority
        save_ticket(ticket, ["priority"])
        changed = TicketPriorityChanged(
            ticket_id=ticket.pk, priority=priority, previous_priority=previous
        )
        events.record(changed, ticket=ticket, actor_id=actor.pk)
        return ticket


def normalize_tags(tags: list[str]) -> list[str]:
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise Invalid("tags must be a list of strings", field="tags")
    cleaned = list(dict.fromkeys(t.strip().lower() for t in tags if t and t.strip()))
    if len(cleaned) > MAX_TAGS:
        raise Invalid(f"at most {MAX_TAGS} tags", field="tags")
    for tag in cleaned:
        if len(tag) > MAX_TAG_LENGTH:
            raise Invalid(f"tag {tag[:20]!r}… is longer than {MAX_TAG_LENGTH}", field="tags")
    return sorted(cleaned)


def do_set_tags(
    actor: Actor, ticket_id: int, tags: list[str], *, expected_version: int | None = None
) -> Ticket:
    """Replace the ticket's tags (normalized: trimmed, lower-case, unique, sorted)."""
    cleaned = normalize_tags(tags)
    with transaction.atomic():
        ticket = lock_ticket(actor, ticket_id, expected_version)
        if list(ticket.tags) == cleaned:
            return ticket
        ticket.tags = cleaned
        save_ticket(ticket, ["tags"])
        changed = TicketTagsChanged(ticket_id=ticket.pk, tags=cleaned)
        events.record(changed, ticket=ticket, actor_id=actor.pk)
        return ticket


def do_merge_tickets(actor: Actor, source_id: int, target_id: int) -> Ticket:
    """Move every message of `source` into `target` and close `source` as merged."""
    if source_id == target_id:
        raise Invalid("a ticket cannot be merged into itself", field="target_id")
    with transaction.atomic():
        # Lock in id order so two opposite merges cannot deadlock.
        first, second = sorted([source_id, target_id])
        locked = {first: lock_ticket(actor, first), second: lock_ticket(actor, second)}
        source, target = locked[source_id], locked[target_id]
        check_manage(actor, source)
        check_manage(actor, target)
        if source.merged_into_id:
            raise Invalid(f"ticket {source_id} is already merged", field="source_id")
        if target.merged_into_id:
            raise Invalid(f"ticket {target_id} is merged; merge into its target", field="target_id")
        moved = Message.objects.filter(ticket=source).update(ticket=target)
        source.merged_into = target
        source.status = TicketStatus.CLOSED
        source.resolved_at = source.resolved_at or timezone.now()
        save_ticket(source, ["merged_into", "status", "resolved_at"])
        times = ("last_message_at", "last_customer_message_at", "last_agent_message_at")
        for name in times:
            latest = [d for d in (getattr(target, name), getattr(source, name)) if d]
            setattr(target, name, max(latest) if latest else None)
        save_ticket(target, list(times))
        merged = TicketMerged(ticket_id=source.pk, merged_into=target.pk, moved_messages=moved)
        # Both threads and both teams' lists hear of it (one event per ticket).
        events.record_many(
            [
                events.Pending(merged, source, actor.pk),
                events.Pending(merged, target, actor.pk),
            ]
        )
        return target


def do_set_team(actor: Actor, ticket_id: int, team_id: int) -> Ticket:
    """Move the ticket to another team (supervisor rights on it); unassigns an
    assignee who is not in the new team. The old team's lists hear of it too."""
    from helpdesk.models import Team

    if not Team.objects.filter(pk=team_id).exists():
        raise Invalid(f"team {team_id} does not exist", field="team_id")
    with transaction.atomic():
        ticket = lock_ticket(actor, ticket_id, contact_first=True)
        check_manage(actor, ticket)
        previous = ticket.team_id
        if previous == team_id:
            return ticket
        ticket.team_id = team_id
        fields = ["team"]
        if ticket.assignee_id is not None:
            assignee = ticket.assignee
            if assignee is None or not can_read_ticket(assignee, ticket):
                ticket.assignee_id = None
                fields.append("assignee")
        save_ticket(ticket, fields)
        changed = TicketTeamChanged(ticket_id=ticket.pk, team_id=team_id, previous_team_id=previous)
        events.record(
            changed,
            ticket=ticket,
            actor_id=actor.pk,
            extra_groups=(f"team.{previous}",) if previous else ("team.none",),
        )
        return ticket
