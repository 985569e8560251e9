"""Applying a macro: each step through its own ticket action, all in one transaction.

The actions lock the same ticket row (taken by the first step) and record their
own events, so the timeline shows every change the macro made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet

from helpdesk.actions import messages as message_actions
from helpdesk.actions import tickets as ticket_actions
from helpdesk.actions.common import Actor, check_ticket_readable
from helpdesk.actions.errors import ActionError, Invalid, NotFound
from helpdesk.automation.placeholders import render
from helpdesk.macros.models import AssignTo, Macro, split_tags
from helpdesk.models import Ticket, TicketStatus
from helpdesk.staff.access import agent_of, is_admin, team_ids

MAX_BULK = 200


def visible_macros(user: Actor) -> QuerySet[Macro]:
    """The user's own macros and the shared ones for every agent or one of their teams."""
    if agent_of(user) is None and not is_admin(user):
        return Macro.objects.none()
    shared = Q(owner__isnull=True)
    if not is_admin(user):
        shared &= Q(shared_with_team__isnull=True) | Q(shared_with_team__in=team_ids(user))
    return Macro.objects.filter(shared | Q(owner_id=user.pk))


def check_macro(actor: Actor, macro_id: int) -> Macro:
    macro = visible_macros(actor).filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(f"macro {macro_id} not found")
    return macro


def _assignee(macro: Macro, actor: Actor, ticket: Ticket) -> tuple[bool, int | None]:
    if macro.assign == AssignTo.ME:
        return True, actor.pk
    if macro.assign == AssignTo.NOBODY:
        return True, None
    if macro.assign == AssignTo.AGENT and macro.assignee_id is not None:
        return True, macro.assignee_id
    return False, ticket.assignee_id


def _apply(actor: Actor, macro: Macro, ticket_id: int) -> Ticket:
    ticket = check_ticket_readable(actor, ticket_id)
    if ticket.merged_into_id:
        raise Invalid(f"ticket {ticket_id} was merged into {ticket.merged_into_id}")
    if macro.move_to_team_id and macro.move_to_team_id != ticket.team_id:
        ticket = ticket_actions.do_set_team(actor, ticket_id, macro.move_to_team_id)
    change, assignee = _assignee(macro, actor, ticket)
    if change and assignee != ticket.assignee_id:
        ticket = ticket_actions.do_assign(actor, ticket_id, assignee)
    if macro.add_tags or macro.remove_tags:
        removed = {t.lower() for t in split_tags(macro.remove_tags)}
        tags = [t for t in [*ticket.tags, *split_tags(macro.add_tags)] if t.lower() not in removed]
        ticket = ticket_actions.do_set_tags(actor, ticket_id, tags)
    if macro.priority and macro.priority != ticket.priority:
        ticket = ticket_actions.do_set_priority(actor, ticket_id, macro.priority)
    if macro.note_template.strip():
        message_actions.do_add_note(actor, ticket_id, render(macro.note_template, ticket, actor))
    if macro.reply_template.strip():
        text = render(macro.reply_template, ticket, actor)
        resolve = macro.status == TicketStatus.RESOLVED
        message_actions.do_reply(actor, ticket_id, text, resolve=resolve)
    ticket = Ticket.objects.get(pk=ticket_id)
    if macro.status and macro.status != ticket.status and macro.status != TicketStatus.SNOOZED:
        ticket = ticket_actions.do_set_status(actor, ticket_id, macro.status)
    return ticket


def apply_macro(actor: Actor, macro_id: int, ticket_id: int) -> Ticket:
    """Apply the macro to one ticket: every step or none (one transaction)."""
    macro = check_macro(actor, macro_id)
    with transaction.atomic():
        return _apply(actor, macro, ticket_id)


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def apply_macro_bulk(actor: Actor, macro_id: int, ticket_ids: Iterable[int]) -> BulkResult:
    """Apply the macro to each ticket in its own transaction; one refusal stops no other."""
    macro = check_macro(actor, macro_id)
    ids = list(dict.fromkeys(ticket_ids))
    if len(ids) > MAX_BULK:
        raise Invalid(f"at most {MAX_BULK} tickets at once", field="ticket_ids")
    result = BulkResult()
    for ticket_id in ids:
        try:
            with transaction.atomic():
                _apply(actor, macro, ticket_id)
            result.done.append(ticket_id)
        except ActionError as exc:
            result.failed[ticket_id] = exc.message
    return result
