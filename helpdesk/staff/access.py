"""Who may read and act on what: the one place the permission rule lives.

An agent reads and acts on tickets of their teams; a supervisor likewise, with
management rights (assigning others, merging) on those teams; an admin on all.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from helpdesk.models import Agent, Contact, Role, Ticket, TicketEvent

type AnyUser = AbstractBaseUser | AnonymousUser


def agent_of(user: AnyUser) -> Agent | None:
    if not user.is_authenticated:
        return None
    try:
        return user.agent  # type: ignore[attr-defined,no-any-return]
    except Agent.DoesNotExist:
        return None


def is_admin(user: AnyUser) -> bool:
    agent = agent_of(user)
    return bool(agent and agent.role == Role.ADMIN) or bool(getattr(user, "is_superuser", False))


def team_ids(user: AnyUser) -> set[int]:
    """The ids of the teams the user belongs to (cached on the user object)."""
    cached: set[int] | None = getattr(user, "_helpdesk_team_ids", None)
    if cached is not None:
        return cached
    agent = agent_of(user)
    ids = set(agent.teams.values_list("id", flat=True)) if agent else set()
    user._helpdesk_team_ids = ids  # type: ignore[union-attr]
    return ids


def visible_tickets(user: AnyUser) -> QuerySet[Ticket]:
    if is_admin(user):
        return Ticket.objects.all()
    if agent_of(user) is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(team_id__in=team_ids(user))


def visible_contacts(user: AnyUser) -> QuerySet[Contact]:
    if is_admin(user):
        return Contact.objects.all()
    if agent_of(user) is None:
        return Contact.objects.none()
    ids = Ticket.objects.filter(team_id__in=team_ids(user)).values("contact_id")
    return Contact.objects.filter(id__in=ids)


def visible_events(user: AnyUser) -> QuerySet[TicketEvent]:
    if is_admin(user):
        return TicketEvent.objects.all()
    if agent_of(user) is None:
        return TicketEvent.objects.none()
    ids = team_ids(user)
    # A ticket's events are readable while the ticket is, by the team it is in now,
    # not the one it was in when they were recorded: a moved ticket takes its history.
    return TicketEvent.objects.filter(
        Q(ticket__isnull=True, team_id__in=ids) | Q(ticket__team_id__in=ids)
    )


def can_read_ticket(user: AnyUser, ticket: Ticket) -> bool:
    if is_admin(user):
        return True
    return agent_of(user) is not None and ticket.team_id in team_ids(user)


def can_manage_ticket(user: AnyUser, ticket: Ticket) -> bool:
    """Supervisor rights: assign others, merge. Admins everywhere, supervisors on their teams."""
    if is_admin(user):
        return True
    agent = agent_of(user)
    return bool(agent and agent.role == Role.SUPERVISOR and ticket.team_id in team_ids(user))


def can_read_contact(user: AnyUser, contact: Contact) -> bool:
    return visible_contacts(user).filter(pk=contact.pk).exists()
