"""The inbox composer on a WhatsApp ticket: the window's state, and sending a template."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels_in.whatsapp.actions import do_send_template
from channels_in.whatsapp.channel import KIND
from channels_in.whatsapp.models import MessageStatus, Status, WhatsAppTemplate
from channels_in.whatsapp.window import window_closes_at
from helpdesk.actions.common import check_ticket_readable
from helpdesk.actions.errors import ActionError
from helpdesk.staff.decorators import agent_required_json


def composer_state(ticket: Any) -> dict[str, Any] | None:
    """What the composer needs on a ticket of a WhatsApp inbox, else None (no query)."""
    if not ticket or getattr(ticket.inbox, "kind", None) != KIND:
        return None
    closes = window_closes_at(ticket.inbox_id, ticket.contact_id)
    templates = WhatsAppTemplate.objects.filter(
        config__inbox_id=ticket.inbox_id, active=True
    ).order_by("name", "language")
    return {
        "statuses": ticket_statuses(ticket.pk),
        "status_labels": {Status.DELIVERED: _("Delivered"), Status.READ: _("Read")},
        "open": closes is not None and timezone.now() < closes,
        "closes_at": closes,
        "ticket_id": ticket.pk,
        "templates": [
            {
                "id": t.pk,
                "label": f"{t.name} ({t.language})",
                "body": t.body,
                "values": list(range(1, t.parameter_count + 1)),
            }
            for t in templates
        ],
    }


def ticket_statuses(ticket_id: int) -> dict[str, str]:
    """message id -> the furthest WhatsApp got with it (delivered, then read), for the
    timeline's badges; failures show as the message's own delivery failure."""
    furthest: dict[str, str] = {}
    rows = MessageStatus.objects.filter(
        message__ticket_id=ticket_id, status__in=[Status.DELIVERED, Status.READ]
    ).values_list("message_id", "status")
    for message_id, status in rows:
        if furthest.get(str(message_id)) != Status.READ:
            furthest[str(message_id)] = status
    return furthest


@require_POST
@agent_required_json
def send_template(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Queue a template reply on a WhatsApp ticket (htmx form under the reply box)."""
    try:
        ticket = check_ticket_readable(request.user, ticket_id)
        if ticket.inbox.kind != KIND:
            raise ActionError("this ticket is not on WhatsApp")
        template_id = int(request.POST.get("template") or 0)
        values = request.POST.getlist("value")
        do_send_template(request.user, ticket.pk, template_id, values)
    except ValueError:
        return JsonResponse({"error": _("Choose a template.")}, status=400)
    except ActionError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    return HttpResponse(status=204, headers={"HX-Trigger": "desk:ticket-changed"})
