"""Rendering and session helpers shared by the portal's views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from channels_in.portal.access import Viewer, viewer_for

SESSION_KEY = "portal_contact_id"

type View = Callable[..., HttpResponseBase]


def render_page(
    request: HttpRequest,
    locale: str,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    switch: str | None = None,
) -> HttpResponse:
    """Render in the URL's language inside the help center's page chrome (its base)."""
    other = "en" if locale == "fa" else "fa"
    path = request.path
    switch_url = switch or (f"/portal/{other}/" + path[len(f"/portal/{locale}/") :])
    with translation.override(locale):
        base = {"locale": locale, "rtl": locale == "fa", "other_locale": other}
        base["switch_url"] = switch_url if request.method == "GET" else f"/portal/{other}/"
        return render(request, template, base | context, status=status)


def sign_in(request: HttpRequest, contact_id: int) -> None:
    """Start a portal session for the contact (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = contact_id


def current_viewer(request: HttpRequest) -> Viewer | None:
    contact_id = request.session.get(SESSION_KEY)
    if not isinstance(contact_id, int):
        return None
    return viewer_for(contact_id)


def customer_required(view: View) -> View:
    """Give the view the signed-in customer, or send the visitor to the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, locale: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        viewer = current_viewer(request)
        if viewer is None:
            return HttpResponseRedirect(reverse("portal:sign_in", args=[locale]))
        return view(request, viewer, locale, *args, **kwargs)

    return wrapper


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "-"))
