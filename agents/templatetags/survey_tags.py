"""`{% contact_surveys contact %}`: the contact's latest survey answers the agent may read."""

from __future__ import annotations

from typing import Any

from django import template

from helpdesk.surveys.api import visible_responses
from helpdesk.surveys.models import SurveyKind

register = template.Library()

SHOWN = 5


@register.inclusion_tag("agents/_contact_surveys.html", takes_context=True)
def contact_surveys(context: Any, contact: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    answers = []
    if user is not None:
        rows = visible_responses(user).filter(contact_id=contact.pk)
        answers = list(rows.order_by("-answered_at", "-id")[:SHOWN])
    return {"answers": answers, "nps": SurveyKind.NPS}
