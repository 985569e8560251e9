"""Typed attributes: the definitions page (admins) and inline edits on contacts and tickets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from agents.views.common import agent_required, back, done, failed
from helpdesk.actions import attributes as attribute_actions
from helpdesk.actions import contacts as contact_actions
from helpdesk.actions.errors import ActionError
from helpdesk.models import AttributeDefinition, AttributeEntity, AttributeType
from helpdesk.staff.access import is_admin


@require_http_methods(["GET", "POST"])
@agent_required
def definitions(request: HttpRequest) -> HttpResponse:
    """Every attribute definition; admins add one here (or in the admin)."""
    if request.method == "POST":
        values = {
            "entity": request.POST.get("entity", ""),
            "key": request.POST.get("key", "").strip(),
            "label": request.POST.get("label", "").strip(),
            "type": request.POST.get("type", ""),
            "choices": [c for c in request.POST.get("choices", "").splitlines() if c.strip()],
            "required": request.POST.get("required") == "1",
        }
        try:
            attribute_actions.do_save_attribute_definition(request.user, None, values)
        except ActionError as exc:
            return failed(request, exc)
        return back(request, reverse("attributes"))
    context = {
        "definitions": AttributeDefinition.objects.order_by("entity", "position", "id"),
        "entities": AttributeEntity.choices,
        "types": AttributeType.choices,
        "can_manage": is_admin(request.user),
    }
    return render(request, "agents/attributes.html", context)


@require_POST
@agent_required
def delete(request: HttpRequest, definition_id: int) -> HttpResponse:
    try:
        attribute_actions.do_delete_attribute_definition(request.user, definition_id)
    except ActionError as exc:
        return failed(request, exc)
    return back(request, reverse("attributes"))


def _posted(request: HttpRequest) -> dict[str, str]:
    return {
        k.removeprefix("attr_"): request.POST.get(k, "")
        for k in request.POST
        if k.startswith("attr_")
    }


@require_POST
@agent_required
def contact_values(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Inline edit of a contact's typed attributes (the contact page and sidebar)."""
    try:
        contact_actions.do_set_contact_attributes(request.user, contact_id, _posted(request))
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("contact", args=[contact_id]), trigger="desk:contact-changed")


@require_POST
@agent_required
def ticket_values(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Inline edit of a ticket's typed attributes (the ticket sidebar)."""
    try:
        attribute_actions.do_set_ticket_attributes(request.user, ticket_id, _posted(request))
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("ticket", args=[ticket_id]))
