"""The one refusal for a signed-in user who is not an agent, on every agent page.

Anonymous visitors go to the login page. A signed-in user without an agent
profile gets 403 everywhere: over HTML the "no agent profile" page (what is
missing and whom to ask), over JSON `{"detail": ...}`; the JSON API and the
agent socket say the same with their own means (403, close code 4403). See
docs/security.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render

from helpdesk.staff.access import agent_of

# The page lives with the agent screens' templates (it extends their base).
NO_PROFILE_TEMPLATE = "agents/no_profile.html"
NO_PROFILE_DETAIL = "this account has no agent profile"


def no_profile_response(request: HttpRequest, *, as_json: bool = False) -> HttpResponse:
    """The 403 a signed-in user without an agent profile gets."""
    if as_json:
        return JsonResponse({"detail": NO_PROFILE_DETAIL}, status=403)
    return render(request, NO_PROFILE_TEMPLATE, status=403)


def _agent_only[R: HttpResponseBase](
    view: Callable[..., R], *, as_json: bool
) -> Callable[..., R | HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R | HttpResponse:
        if agent_of(request.user) is None:
            return no_profile_response(request, as_json=as_json)
        return view(request, *args, **kwargs)

    return wrapper


def agent_required[R: HttpResponseBase](view: Callable[..., R]) -> Callable[..., R | HttpResponse]:
    """An agent page: login first, then the no-profile page (403) for non-agents."""
    return _agent_only(view, as_json=False)


def agent_required_json[R: HttpResponseBase](
    view: Callable[..., R],
) -> Callable[..., R | HttpResponse]:
    """A JSON endpoint of the agent screens: login first, then a 403 JSON for non-agents."""
    return _agent_only(view, as_json=True)
