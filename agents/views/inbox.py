"""The inbox page: list navigation with live counts, the ticket list, its filters."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agents import queries
from agents.views.common import agent_required, last_seq
from agents.views.slots import channel_pages, inbox_slots
from helpdesk import channels
from helpdesk.models import Agent, Inbox, Priority, TicketStatus
from helpdesk.staff.access import agent_of, is_admin, team_ids


def _agents_of(user: Any) -> list[Agent]:
    agents = Agent.objects.select_related("user").order_by("display_name")
    if not is_admin(user):
        agents = agents.filter(teams__in=list(team_ids(user))).distinct()
    return list(agents)


def nav_context(request: HttpRequest) -> dict[str, Any]:
    """The lists with their counts (one query)."""
    user = request.user
    params = request.GET.copy()
    params.pop("cursor", None)
    return {
        "f": queries.Filters.from_query(request.GET, user),
        "base_query": params.urlencode(),
        "lists": [(k, label) for k, label in queries.LISTS if k != "all" or is_admin(user)],
        "counts": queries.counts(user),
        "statuses": TicketStatus.choices,
        "channel_pages": channel_pages(),
    }


def list_context(request: HttpRequest) -> dict[str, Any]:
    """The list pane: a constant number of queries whatever the page size."""
    f = queries.Filters.from_query(request.GET, request.user)
    tickets, next_cursor = queries.page(request.user, f)
    params = request.GET.copy()
    params.pop("cursor", None)
    return {
        "f": f,
        "tickets": tickets,
        "next_cursor": next_cursor,
        "base_query": params.urlencode(),
    }


def page_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        **nav_context(request),
        **list_context(request),
        "me": agent_of(user),
        "seq": last_seq(),
        "channels": channels.kind_choices(),
        "priorities": Priority.choices,
        "sorts": queries.SORTS,
        "inboxes": list(
            Inbox.objects.all()
            if is_admin(user)
            else Inbox.objects.filter(team_id__in=team_ids(user))
        ),
        "team_agents": _agents_of(user),
        "js_strings": js_strings(),
        **inbox_slots(),
    }


def js_strings() -> dict[str, Any]:
    """Texts the socket module shows, translated here so the JS needs no catalogue."""
    return {
        "viewing": _("{name} is viewing"),
        "replying": _("{name} is replying…"),
        "typing_reply": _("{name} is replying…"),
        "typing_note": _("{name} is writing a note…"),
        "customer_typing": _("The customer is typing…"),
        "live": _("Live"),
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost, reconnecting…"),
        "no_access": _("Signed out or no access: reload the page to sign in again."),
        "sent": _("Sent"),
        "saved": _("Saved"),
        "selected": _("{n} selected"),
        "files": _("{n} files"),
        "statuses": {value: str(label) for value, label in TicketStatus.choices},
        "digits": (get_language() or "").startswith("fa"),
    }


@agent_required
def home(request: HttpRequest) -> HttpResponse:
    """The inbox: it opens on "mine"; a ticket opens beside the list."""
    return render(request, "agents/inbox.html", page_context(request))


@agent_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    """The list pane alone (htmx refreshes it when events arrive, and pages it)."""
    return render(request, "agents/_list.html", list_context(request))


@agent_required
def counts(request: HttpRequest) -> HttpResponse:
    """The navigation with counts per list (refreshed live)."""
    return render(request, "agents/_nav.html", nav_context(request))
