""" "Still need help?": a contact form that opens a ticket through the ingest path."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from helpdesk.inbound import InboundMessage, Sender
from helpdesk.ingest import receive
from helpdesk.models import ChannelKind, IdentityKind, Inbox
from knowledge_base.forms import ContactForm
from knowledge_base.views.common import render_portal

RATE_LIMIT = 5  # submissions ...
RATE_WINDOW = 3600  # ... per client address per hour


def contact_inbox() -> Inbox | None:
    """The web-form inbox the portal's contact form feeds (the oldest enabled one)."""
    return Inbox.objects.filter(kind=ChannelKind.WEBFORM, enabled=True).order_by("id").first()


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
    template = "knowledge_base/contact.html"
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
        sender=Sender(kind=IdentityKind.EMAIL, address=data["email"], display_name=data["name"]),
        received_at=timezone.now(),
        subject=data["subject"],
        text=data["message"],
        language=locale,
        meta={"source": "help portal", "referer": request.META.get("HTTP_REFERER", "")[:500]},
    )
