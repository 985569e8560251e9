""" "Still need help?": a contact form that opens a ticket through the ingest path.

Rendered in the help portal's page chrome: the template extends the portal's
base template, with the context that base expects (locale, direction, switch).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from channels_in.webform.channel import KIND
from channels_in.webform.forms import ContactForm
from helpdesk import identities
from helpdesk.inbound import InboundMessage, Sender
from helpdesk.ingest import receive
from helpdesk.models import Inbox

RATE_LIMIT = 5  # submissions ...
RATE_WINDOW = 3600  # ... per client address per hour


def contact_inbox() -> Inbox | None:
    """The web-form inbox the portal's contact form feeds (the oldest enabled one)."""
    return Inbox.objects.filter(kind=KIND, enabled=True).order_by("id").first()


def render_portal(
    request: HttpRequest, locale: str, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render in the URL's language with what the portal's base template reads."""
    other = "en" if locale == "fa" else "fa"
    with translation.override(locale):
        base = {"locale": locale, "rtl": locale == "fa", "other_locale": other}
        base["switch_url"] = f"/help/{other}/contact/"
        return render(request, template, base | context, status=status)


def _rate_limited(request: HttpRequest) -> bool:
    key = f"kb:contact:{request.META.get('REMOTE_ADDR', '-')}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, locale: str) -> HttpResponse:
    inbox = contact_inbox()
    template = "webform/contact.html"
    if inbox is None:
        return render_portal(request, locale, template, {"unavailable": True}, status=503)
    if request.method != "POST":
        return render_portal(request, locale, template, {"form": ContactForm()})
    form = ContactForm(request.POST)
    if _rate_limited(request):
        error = _("Too many messages from your address. Please try again later.")
        return render_portal(request, locale, template, {"form": form, "error": error}, status=429)
    if not form.is_valid():
        return render_portal(request, locale, template, {"form": form}, status=400)
    if form.cleaned_data["website"]:
        return render_portal(request, locale, template, {"sent": True})
    result = receive(_inbound(inbox, form.cleaned_data, locale, request))
    context = {"sent": True, "ticket_number": result.ticket.number}
    return render_portal(request, locale, template, context)


def _inbound(
    inbox: Inbox, data: dict[str, str], locale: str, request: HttpRequest
) -> InboundMessage:
    return InboundMessage(
        inbox_id=inbox.pk,
        external_id=f"webform-{uuid.uuid4()}",
        sender=Sender(kind=identities.EMAIL, address=data["email"], display_name=data["name"]),
        received_at=timezone.now(),
        subject=data["subject"],
        text=data["message"],
        language=locale,
        meta={"source": "help portal", "referer": request.META.get("HTTP_REFERER", "")[:500]},
    )
