"""Small helpers shared by the inbox views."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from helpdesk.actions.errors import ActionError, NotFound
from helpdesk.models import TicketEvent
from helpdesk.staff.access import agent_of


def agent_required(view: Any) -> Any:
    """Logged in and an agent; anyone else gets a 404 (after the login redirect).

    The inbox's home page instead tells a signed-in user without an agent profile
    what is missing (403), rather than a bare "not found".
    """

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if agent_of(request.user) is None:
            if view.__name__ == "home":
                return render(request, "agents/no_profile.html", status=403)
            raise Http404("not an agent")
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def last_seq() -> int:
    """The newest event id: the page is current up to here, the socket resumes after it."""
    return int(TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0)


def back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.headers.get("referer") or fallback
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = fallback
    return HttpResponseRedirect(target)


def done(request: HttpRequest, fallback: str, trigger: str = "desk:ticket-changed") -> HttpResponse:
    """After a successful action: htmx gets 204 and an event, a plain form a redirect."""
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Trigger": trigger})
    return back(request, fallback)


def failed(request: HttpRequest, exc: ActionError) -> HttpResponse:
    """An action refused: not-found is a 404 page, anything else a short text answer."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
