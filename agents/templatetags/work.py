"""Panels of the work-on-tickets features, included by the ticket and contact pages:
`{% ticket_work ticket %}`, `{% contact_work contact %}`, `{% macros_for_me as m %}`."""

from __future__ import annotations

from typing import Any

from django import template

from helpdesk.actions.outbound import outbound_inboxes
from helpdesk.followups.access import visible_tasks
from helpdesk.followups.models import TaskStatus
from helpdesk.macros.apply import visible_macros
from helpdesk.models import Agent, Contact, Direction, Message, Team, Ticket
from helpdesk.staff.access import can_manage_ticket

register = template.Library()

SPLIT_CHOICES = 50


@register.inclusion_tag("agents/_ticket_work.html", takes_context=True)
def ticket_work(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """Macros, referral, a follow-up task, merge and split for one ticket."""
    request = context["request"]
    user = request.user
    messages = (
        Message.objects.filter(ticket=ticket)
        .exclude(direction=Direction.NOTE)
        .order_by("id")
        .only("id", "text", "direction", "created_at")[:SPLIT_CHOICES]
    )
    return {
        "request": request,
        "ticket": ticket,
        "macros": list(visible_macros(user).order_by("name")),
        "colleagues": list(
            Agent.objects.select_related("user")
            .filter(teams=ticket.team_id, user__is_active=True)
            .exclude(user_id=user.pk)
            .order_by("display_name")
        ),
        "teams": list(Team.objects.exclude(pk=ticket.team_id or 0).order_by("name")),
        "can_manage": can_manage_ticket(user, ticket),
        "split_messages": list(messages),
        "open_tasks": list(
            visible_tasks(user)
            .filter(ticket=ticket, status__in=TaskStatus.active())
            .select_related("assignee__agent")
        ),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("agents/_contact_work.html", takes_context=True)
def contact_work(context: template.Context, contact: Contact) -> dict[str, Any]:
    """Start a conversation, the contact's open tasks, a follow-up in one click."""
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "contact": contact,
        "can_start": bool(outbound_inboxes(user, contact)),
        "open_tasks": list(
            visible_tasks(user)
            .filter(contact=contact, status__in=TaskStatus.active())
            .select_related("assignee__agent")[:20]
        ),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def macros_for_me(context: template.Context) -> list[Any]:
    """The macros the signed-in agent may apply (the inbox's bulk bar)."""
    return list(visible_macros(context["request"].user).order_by("name"))
