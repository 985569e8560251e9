"""One contact: the sidebar and page (the 360° view: timeline, identities, attributes,
company), edit and merge. The list is agents.views.contacts_list."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents.forms import ContactForm, MergeForm
from agents.views.common import agent_required, done, failed
from helpdesk import channels
from helpdesk.actions import contacts as contact_actions
from helpdesk.actions.errors import ActionError, Invalid
from helpdesk.crm.attributes import definitions
from helpdesk.models import (
    AttributeDefinition,
    AttributeEntity,
    Contact,
    Direction,
    Message,
    Role,
)
from helpdesk.staff.access import agent_of, is_admin, visible_tickets

RECENT = 10
TIMELINE = 30


def defined_keys() -> set[str]:
    return set(
        AttributeDefinition.objects.filter(entity=AttributeEntity.CONTACT).values_list(
            "key", flat=True
        )
    )


def timeline(request: HttpRequest, contact: Contact) -> list[Message]:
    """The contact's latest messages, calls and notes across every channel (the tickets
    the agent may see), newest first."""
    return list(
        Message.objects.filter(ticket__in=visible_tickets(request.user).filter(contact=contact))
        .select_related("ticket", "inbox")
        .order_by("-created_at", "-id")[:TIMELINE]
    )


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
    values = contact.custom_attributes or {}
    return {
        "contact": contact,
        "attributes": [(d, values.get(d.key)) for d in definitions(AttributeEntity.CONTACT)],
        "extra_attributes": {k: v for k, v in values.items() if k not in defined_keys()},
        "identities": list(contact.identities.order_by("kind", "address")),
        "contact_tickets": list(tickets),
        "calls": list(calls),
        "contact_form": ContactForm(
            initial={
                "name": contact.name,
                "language": contact.language,
                "preferred_channel": contact.preferred_channel,
                "notes": contact.notes,
                "tags": ", ".join(contact.tags or []),
                "company": contact.company_id,
            }
        ),
        "merge_form": MergeForm(),
        "can_merge": is_admin(request.user)
        or getattr(agent_of(request.user), "role", "") == Role.SUPERVISOR,
    }


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
    context = contact_context(request, contact)
    if getattr(request, "htmx", False):
        return render(request, "agents/_contact.html", context)
    context["timeline"] = timeline(request, contact)
    return render(request, "agents/contact.html", context)


@require_POST
@agent_required
def edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Change the contact's name, language, preferred channel and notes."""
    _contact(request, contact_id)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(str(form.errors)))
    # Fields the form did not send stay as they are (the sidebar's form has them all).
    changes = {k: v for k, v in form.cleaned_data.items() if k in request.POST}
    try:
        contact_actions.do_update_contact(request.user, contact_id, changes)
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
