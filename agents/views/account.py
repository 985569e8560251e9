"""The agent's own settings: language and presence; bulk actions on a list selection."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agents.forms import BulkForm
from agents.views.common import agent_required, back, done, failed
from helpdesk.actions import tickets as ticket_actions
from helpdesk.actions.common import check_ticket_readable
from helpdesk.actions.errors import ActionError, Invalid
from helpdesk.staff import presence


@require_POST
@agent_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the agent's UI language (stored on the agent, used on every page)."""
    try:
        agent = presence.do_set_language(request.user, request.POST.get("language", ""))
    except ActionError as exc:
        return failed(request, exc)
    translation.activate(agent.language)
    return back(request, reverse("home"))


@require_POST
@agent_required
def set_presence(request: HttpRequest) -> HttpResponse:
    """Set online / away / offline (the socket does the same without a request)."""
    try:
        presence.do_set_presence(request.user, request.POST.get("presence", ""))
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("home"), trigger="desk:presence-changed")


def _bulk_one(request: HttpRequest, form: BulkForm, ticket_id: int) -> None:
    op, data, user = form.cleaned_data["op"], form.cleaned_data, request.user
    if op == "claim":
        ticket_actions.do_claim(user, ticket_id)
    elif op == "unassign":
        ticket_actions.do_unassign(user, ticket_id)
    elif op == "status" and data["status"]:
        ticket_actions.do_set_status(user, ticket_id, data["status"])
    elif op == "priority" and data["priority"]:
        ticket_actions.do_set_priority(user, ticket_id, data["priority"])
    elif op == "tag" and data["tag"]:
        ticket = check_ticket_readable(user, ticket_id)
        tags = [*ticket.tags, data["tag"]]
        ticket_actions.do_set_tags(user, ticket_id, tags, expected_version=ticket.version)


@require_POST
@agent_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to each selected ticket; each goes through its own action."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(str(form.errors)))
    refused = 0
    for ticket_id in form.ticket_ids():
        try:
            _bulk_one(request, form, ticket_id)
        except ActionError:
            refused += 1
    if refused:
        messages.warning(request, _("%(n)s tickets could not be changed.") % {"n": refused})
    return done(request, reverse("home"), trigger="desk:list-changed")
