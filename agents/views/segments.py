"""Segments: the saved filters with live counts, opened on the contacts page or exported."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents.crm_filters import to_query
from agents.views.common import agent_required, back, failed
from helpdesk.actions import segments as segment_actions
from helpdesk.actions.errors import ActionError
from helpdesk.crm import segments
from helpdesk.crm.filters import ContactFilter
from helpdesk.crm.visibility import readable_contacts
from helpdesk.models import Segment
from helpdesk.staff.access import agent_of, is_admin


@require_GET
@agent_required
def segment_list(request: HttpRequest) -> HttpResponse:
    """Every segment with its live count (of the contacts this agent may see)."""
    base = readable_contacts(request.user)
    rows = []
    for segment in Segment.objects.order_by("name")[:200]:
        flt = segments.definition(segment)
        rows.append(
            {
                "segment": segment,
                "count": segments.count(segment, base),
                "open_url": f"{reverse('contacts')}?{urlencode({'segment': segment.pk})}",
                "conditions": to_query(flt),
                "listed": len(flt.include_ids),
                # The contacts page shows one attribute condition: edit there only then.
                "edit_url": f"{reverse('contacts')}?{urlencode(_edit_query(segment.pk, flt))}"
                if len(flt.attributes) <= 1
                else "",
            }
        )
    agent = agent_of(request.user)
    can_manage = is_admin(request.user) or getattr(agent, "role", "") == "supervisor"
    return render(request, "agents/segments.html", {"rows": rows, "can_manage": can_manage})


def _edit_query(segment_id: int, flt: ContactFilter) -> dict[str, str]:
    return {**to_query(flt), "edit_segment": str(segment_id)}


@require_POST
@agent_required
def delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    try:
        segment_actions.do_delete_segment(request.user, segment_id)
    except ActionError as exc:
        return failed(request, exc)
    return back(request, reverse("segments"))
