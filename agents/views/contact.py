"""Contacts: the list with search, the sidebar (the 360° view), edit and merge."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents.forms import ContactForm, MergeForm
from agents.views.common import agent_required, done, failed
from helpdesk import channels
from helpdesk.actions import contacts as contact_actions
from helpdesk.actions.errors import ActionError, Invalid
from helpdesk.contact_search import search_contacts
from helpdesk.models import Contact, Direction, Message, Role, TicketStatus
from helpdesk.staff.access import agent_of, is_admin, visible_contacts, visible_tickets

RECENT = 10
PER_PAGE = 50


def contact_context(request: HttpRequest, contact: Contact) -> dict[str, Any]:
    """Identities on every channel, the tickets the agent may see, recent calls, notes."""
    tickets = (
        visible_tickets(request.user)
        .filter(contact=contact)
        .select_related("inbox")
        .order_by("-last_message_at", "-id")[:RECENT]
    )
    calls = (
        Message.objects.filter(
            ticket__in=visible_tickets(request.user).filter(contact=contact),
            inbox__kind__in=[s.kind for s in channels.specs() if s.voice],
        )
        .exclude(direction=Direction.NOTE)
        .order_by("-created_at")[:RECENT]
    )
    return {
        "contact": contact,
        "identities": list(contact.identities.order_by("kind", "address")),
        "contact_tickets": list(tickets),
        "calls": list(calls),
        "contact_form": ContactForm(
            initial={
                "name": contact.name,
                "language": contact.language,
                "preferred_channel": contact.preferred_channel,
                "notes": contact.notes,
            }
        ),
        "merge_form": MergeForm(),
        "can_merge": is_admin(request.user)
        or getattr(agent_of(request.user), "role", "") == Role.SUPERVISOR,
    }


@require_GET
@agent_required
def contact_list(request: HttpRequest) -> HttpResponse:
    """Every contact the agent may see (a ticket in one of their teams), searchable by
    name, address or phone number, most recently heard from first."""
    query = request.GET.get("q", "").strip()[:200]
    mine = visible_tickets(request.user)
    contacts = visible_contacts(request.user).filter(merged_into__isnull=True)
    if query:
        contacts = search_contacts(contacts, query)
    contacts = contacts.annotate(
        open_tickets=Count(
            "tickets",
            filter=Q(tickets__in=mine, tickets__status__in=TicketStatus.active()),
            distinct=True,
        ),
        last_seen=Max("tickets__last_message_at", filter=Q(tickets__in=mine)),
    ).order_by(F("last_seen").desc(nulls_last=True), "-id")
    page = Paginator(contacts.prefetch_related("identities"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    return render(request, "agents/contacts.html", {"page": page, "contacts": rows, "query": query})


def _contact(request: HttpRequest, contact_id: int) -> Contact:
    try:
        return contact_actions.check_contact_readable(request.user, contact_id)
    except ActionError as exc:
        failed(request, exc)  # raises Http404
        raise


@require_GET
@agent_required
def sidebar(request: HttpRequest, contact_id: int) -> HttpResponse:
    """The contact sidebar (htmx refreshes it when the contact changes); opened as a
    link, the same card as a page of its own."""
    contact = _contact(request, contact_id)
    template = "agents/_contact.html" if getattr(request, "htmx", False) else "agents/contact.html"
    return render(request, template, contact_context(request, contact))


@require_POST
@agent_required
def edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Change the contact's name, language, preferred channel and notes."""
    _contact(request, contact_id)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(str(form.errors)))
    try:
        contact_actions.do_update_contact(request.user, contact_id, form.cleaned_data)
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("home"), trigger="desk:contact-changed")


@require_POST
@agent_required
def merge(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Merge another contact (by number) into this one."""
    form = MergeForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(str(form.errors)))
    try:
        contact_actions.do_merge_contacts(request.user, form.cleaned_data["other"], contact_id)
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("home"), trigger="desk:contact-changed")
