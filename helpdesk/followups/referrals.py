"""Referral: hand a ticket or a task to a colleague or another team, with a note.

The receiver is notified (helpdesk.notifications) and the ticket's timeline shows
a `ticket.referred` event (a task's: `task.referred`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from helpdesk import events
from helpdesk.actions.common import Actor, lock_ticket, save_ticket
from helpdesk.actions.errors import Forbidden, Invalid
from helpdesk.event_schemas import TaskReferred, TicketAssigned, TicketReferred, TicketTeamChanged
from helpdesk.followups import notices
from helpdesk.followups.actions import check_assignee, lock_task, save_task, task_event
from helpdesk.followups.models import Referral
from helpdesk.models import Team, Ticket
from helpdesk.staff.access import agent_of, can_manage_ticket, can_read_ticket, is_admin, team_ids

MAX_NOTE = 2000


def _check_target(to_user_id: int | None, to_team_id: int | None, note: str) -> None:
    if to_user_id is None and to_team_id is None:
        raise Invalid("refer to a colleague or a team", field="to_user_id")
    if len(note) > MAX_NOTE:
        raise Invalid(f"the note is longer than {MAX_NOTE} characters", field="note")
    if to_team_id is not None and not Team.objects.filter(pk=to_team_id).exists():
        raise Invalid(f"team {to_team_id} does not exist", field="to_team_id")


def _may_hand_over(actor: Actor, ticket: Ticket) -> None:
    """A ticket's assignee hands it over; an unassigned one anyone of the team; others
    only a supervisor of the team or an admin."""
    if can_manage_ticket(actor, ticket):
        return
    if ticket.assignee_id in (None, actor.pk):
        return
    raise Forbidden("only its assignee or a supervisor may refer a ticket assigned to someone")


def do_refer_ticket(
    actor: Actor,
    ticket_id: int,
    *,
    to_user_id: int | None = None,
    to_team_id: int | None = None,
    note: str = "",
) -> Referral:
    """Hand the ticket to a colleague (assigned to them) or another team (moved there,
    unassigned), with a note on its timeline; the receiver is notified."""
    note = (note or "").strip()
    _check_target(to_user_id, to_team_id, note)
    with transaction.atomic():
        # A move to another team rewrites the contact's team array: contact first.
        ticket = lock_ticket(actor, ticket_id, contact_first=to_team_id is not None)
        _may_hand_over(actor, ticket)
        pending: list[events.Pending] = []
        fields: list[str] = []
        previous_team = ticket.team_id
        if to_team_id is not None and to_team_id != ticket.team_id:
            ticket.team_id = to_team_id
            fields.append("team")
            changed = TicketTeamChanged(
                ticket_id=ticket.pk, team_id=to_team_id, previous_team_id=previous_team
            )
            old = (f"team.{previous_team}",) if previous_team else ("team.none",)
            pending.append(events.Pending(changed, ticket, actor.pk, extra_groups=old))
        previous_assignee = ticket.assignee_id
        new_assignee = to_user_id
        if new_assignee is not None:
            user = get_user_model().objects.filter(pk=new_assignee).first()
            if user is None or agent_of(user) is None:
                raise Invalid(f"agent {new_assignee} does not exist", field="to_user_id")
            # ticket.team_id is already the receiving team's.
            if not can_read_ticket(user, ticket):
                raise Invalid("the colleague is not in this ticket's team", field="to_user_id")
        elif "team" in fields:
            new_assignee = None  # a team receives it unassigned: they pick it up
        else:
            new_assignee = previous_assignee
        if new_assignee != previous_assignee:
            ticket.assignee_id = new_assignee
            fields.append("assignee")
            assigned = TicketAssigned(
                ticket_id=ticket.pk,
                assignee_id=new_assignee,
                previous_assignee_id=previous_assignee,
            )
            pending.append(events.Pending(assigned, ticket, actor.pk))
        save_ticket(ticket, fields)
        referral = Referral.objects.create(
            ticket=ticket,
            from_user_id=actor.pk,
            to_user_id=to_user_id,
            to_team_id=to_team_id,
            note=note,
        )
        referred = TicketReferred(
            ticket_id=ticket.pk,
            referral_id=referral.pk,
            assignee_id=to_user_id,
            team_id=to_team_id,
            note=note,
        )
        pending.append(events.Pending(referred, ticket, actor.pk))
        notices.referred(
            referral,
            lambda: _("Referred to you: #%(n)s %(s)s") % {"n": ticket.pk, "s": ticket.subject},
        )
        events.record_many(pending)
        return referral


def do_refer_task(
    actor: Actor,
    task_id: int,
    *,
    to_user_id: int | None = None,
    to_team_id: int | None = None,
    note: str = "",
) -> Referral:
    """Hand a task to a colleague or another team with a note; the receiver is notified."""
    note = (note or "").strip()
    _check_target(to_user_id, to_team_id, note)
    if agent_of(actor) is None and not is_admin(actor):
        raise Forbidden("only agents refer tasks")
    with transaction.atomic():
        task, ticket = lock_task(actor, task_id)
        previous_assignee = task.assignee_id
        team_id = to_team_id if to_team_id is not None else task.team_id
        if to_user_id is not None and to_team_id is None and team_id is not None:
            # A colleague outside the task's team takes it as their own.
            user = get_user_model().objects.filter(pk=to_user_id).first()
            if user is not None and not is_admin(user) and team_id not in team_ids(user):
                team_id = None
        try:
            check_assignee(to_user_id, team_id, None)
        except Invalid as exc:  # named after this request's field
            raise Invalid(exc.message, field="to_user_id") from exc
        task.team_id = team_id
        task.assignee_id = to_user_id
        save_task(task, ["team", "assignee"])
        referral = Referral.objects.create(
            task=task,
            ticket=None,
            from_user_id=actor.pk,
            to_user_id=to_user_id,
            to_team_id=to_team_id,
            note=note,
        )
        event = task_event(
            TaskReferred,
            task,
            previous_assignee_id=previous_assignee,
            referral_id=referral.pk,
            note=note,
        )
        notices.referred(
            referral, lambda: _("Task referred to you: %(title)s") % {"title": task.title}
        )
        events.record(event, ticket=ticket, team_id=task.team_id, actor_id=actor.pk)
        return referral
