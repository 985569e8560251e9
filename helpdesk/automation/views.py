"""The customer's "this solved my problem" link from an automatic answer."""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from helpdesk.actions.errors import ActionError
from helpdesk.actions.tickets import do_set_status, do_set_tags
from helpdesk.automation.actor import system_actor
from helpdesk.automation.rule_actions import DEFLECT_SALT
from helpdesk.models import Ticket, TicketStatus

MAX_AGE = 60 * 60 * 24 * 30


@require_http_methods(["GET", "POST"])
def solved(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (mail scanners follow links); POST resolves the ticket."""
    try:
        data = signing.loads(token, salt=DEFLECT_SALT, max_age=MAX_AGE)
        ticket_id = int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise Http404("this link is not valid any more") from exc
    ticket = Ticket.objects.select_related("contact").filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404("this link is not valid any more")
    # The language the message with the link was written in (an email contact's is unknown).
    language = str(data.get("l") or ticket.contact.language or "en")
    done = ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    if request.method == "POST" and not done:
        actor = system_actor()
        try:
            do_set_tags(actor, ticket.pk, [*ticket.tags, "deflected"])
            do_set_status(actor, ticket.pk, TicketStatus.RESOLVED)
        except ActionError as exc:
            raise Http404(exc.message) from exc
        done = True
    # For this page only (override, not activate: nothing after the response inherits it).
    with translation.override(language):
        response = render(request, "automation/solved.html", {"ticket": ticket, "done": done})
    response.headers["Content-Language"] = language
    return response
