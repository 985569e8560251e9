"""Signing in and out: ask for a link, use it once, or open a ticket from a mail link."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from channels_in.portal import signin
from channels_in.portal.access import viewer_for
from channels_in.portal.pages import (
    SESSION_KEY,
    client_address,
    current_viewer,
    render_page,
    sign_in,
)
from helpdesk import identities

logger = logging.getLogger(__name__)

NEXT_KEY = "portal_next_ticket"  # a ticket to open after sign-in (an expired mail link)
PER_IP = (20, 3600)  # link requests per client address per hour
PER_IDENTITY = (3, 900)  # link requests per address or number per 15 minutes


def _limits() -> tuple[tuple[int, int], tuple[int, int]]:
    per_ip = getattr(settings, "PORTAL_SIGNIN_PER_IP", PER_IP)
    per_identity = getattr(settings, "PORTAL_SIGNIN_PER_IDENTITY", PER_IDENTITY)
    return per_ip, per_identity


@require_http_methods(["GET", "POST"])
def sign_in_page(request: HttpRequest, locale: str) -> HttpResponse:
    """Ask for an email address or phone number; mail a one-time link to its contact."""
    template = "portal/sign_in.html"
    if request.method != "POST":
        return render_page(request, locale, template, {})
    raw = request.POST.get("identity", "")[:320]
    identity = signin.parse_identity(raw)
    context: dict[str, object] = {"value": raw}
    with translation.override(locale):
        if identity is None:
            context["error"] = _("Enter an email address or a mobile phone number.")
            return render_page(request, locale, template, context, status=400)
        (ip_limit, ip_window), (id_limit, id_window) = _limits()
        if signin.throttled(f"ip:{client_address(request)}", ip_limit, ip_window) or (
            signin.throttled(f"id:{identity.kind}:{identity.address}", id_limit, id_window)
        ):
            context["error"] = _("Too many sign-in requests. Please wait a few minutes.")
            return render_page(request, locale, template, context, status=429)
        url = _send_link(identity, locale)
    # The same page whether or not the address is known: nobody learns who is a customer.
    # In development (DEBUG) the link is shown too, so the demo needs no mailbox.
    sent = {"identity": identity, "dev_link": url if settings.DEBUG else None}
    return render_page(request, locale, "portal/sent.html", sent)


def _send_link(identity: signin.Identity, locale: str) -> str | None:
    """A new one-time link (mailed) and code (texted, for a phone number); the link."""
    contact = signin.find_contact(identity)
    if contact is None:
        return None
    token, one_time_code = signin.issue_link(contact, identity)
    url = signin.public_url(reverse("portal:link", args=[locale, token]))
    if identity.kind != identities.EMAIL and not signin.text_code(contact, one_time_code, locale):
        logger.info("portal: no channel could text contact %s a sign-in code", contact.pk)
    address = signin.email_of(contact, identity)
    if address is None:
        return url
    minutes = int(signin.link_lifetime().total_seconds() // 60)
    subject = _("Your sign-in link for the help center")
    text = "\n".join(
        [
            _("Open this link to see and answer your requests:"),
            url,
            "",
            _(
                "It works once, for %(minutes)s minutes. "
                "If you did not ask for it, ignore this mail."
            )
            % {"minutes": minutes},
        ]
    )
    if settings.DEBUG:
        logger.info("portal sign-in link for contact %s: %s", contact.pk, url)
    if not signin.send_mail(contact, address, subject, text + "\n"):
        logger.warning("portal: no mailbox could send contact %s a sign-in link", contact.pk)
    return url


@require_POST
def code(request: HttpRequest, locale: str) -> HttpResponse:
    """Sign in with the six-digit code texted to a phone number."""
    identity = signin.parse_identity(request.POST.get("identity", "")[:320])
    (ip_limit, ip_window), _per_identity = _limits()
    with translation.override(locale):
        if signin.throttled(f"code:{client_address(request)}", ip_limit, ip_window):
            error = _("Too many sign-in requests. Please wait a few minutes.")
            context = {"identity": identity, "code_error": error}
            return render_page(request, locale, "portal/sent.html", context, status=429)
        contact_id = None
        if identity is not None:
            contact_id = signin.redeem_code(identity, request.POST.get("code", "")[:20])
        if contact_id is None:
            error = _("This code is not right or no longer works.")
            context = {"identity": identity, "code_error": error}
            return render_page(request, locale, "portal/sent.html", context, status=400)
    sign_in(request, contact_id)
    return HttpResponseRedirect(_landing(request, locale))


def _refused(request: HttpRequest, locale: str, next_number: int | None = None) -> HttpResponse:
    context = {"next_number": next_number}
    return render_page(request, locale, "portal/link_refused.html", context, status=410)


def _landing(request: HttpRequest, locale: str) -> str:
    """Where a fresh sign-in lands: the ticket an expired mail link named, if this
    customer may read it, else their requests."""
    number = request.session.pop(NEXT_KEY, None)
    viewer = current_viewer(request)
    if isinstance(number, int) and viewer and viewer.tickets().filter(pk=number).exists():
        return reverse("portal:ticket", args=[locale, number])
    return reverse("portal:home", args=[locale])


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, locale: str, token: str) -> HttpResponse:
    """A one-time link: GET asks to confirm (mail scanners only GET), POST signs in."""
    if request.method != "POST":
        if signin.usable_link(token) is None:
            return _refused(request, locale)
        return render_page(request, locale, "portal/link.html", {"token": token})
    contact_id = signin.redeem(token)
    if contact_id is None:
        return _refused(request, locale)
    sign_in(request, contact_id)
    return HttpResponseRedirect(_landing(request, locale))


@require_http_methods(["GET"])
def open_ticket(request: HttpRequest, locale: str, token: str) -> HttpResponse:
    """A ticket's link from a notification mail: signs its contact in, opens the ticket."""
    found = signin.read_ticket_token(token)
    if found is None:
        return _stale_ticket_link(request, locale, token)
    viewer = viewer_for(found[0])
    if viewer is None or not viewer.tickets().filter(pk=found[1]).exists():
        return _refused(request, locale)
    if request.session.get(SESSION_KEY) != viewer.contact.pk:
        sign_in(request, viewer.contact.pk)
    return HttpResponseRedirect(reverse("portal:ticket", args=[locale, found[1]]))


def _stale_ticket_link(request: HttpRequest, locale: str, token: str) -> HttpResponse:
    """An expired ticket link (or a forged one): it signs nobody in. The customer
    already signed in who may read the ticket gets it; anyone else the friendly
    page, and the ticket opens after their next sign-in if they may read it."""
    stale = signin.read_ticket_token(token, expired_too=True)
    if stale is None:
        return _refused(request, locale)
    viewer = current_viewer(request)
    if viewer is not None and viewer.tickets().filter(pk=stale[1]).exists():
        return HttpResponseRedirect(reverse("portal:ticket", args=[locale, stale[1]]))
    request.session[NEXT_KEY] = stale[1]
    return _refused(request, locale, next_number=stale[1])


@require_POST
def sign_out(request: HttpRequest, locale: str) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    return HttpResponseRedirect(reverse("portal:sign_in", args=[locale]))
