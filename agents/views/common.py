"""Small helpers shared by the inbox views."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from helpdesk.actions.errors import ActionError, NotFound
from helpdesk.events import settled_head
from helpdesk.staff.decorators import agent_required as agent_required


def last_seq() -> int:
    """The newest settled event id: the page is current up to here, the socket resumes
    after it (no event with a smaller id can still commit: helpdesk.events.settled)."""
    return settled_head()


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
