"""Customer churn and the at-risk contacts (docs/reports.md, "Churn")."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, QuerySet

from helpdesk.models import Ticket
from helpdesk.reports.filters import Filters, facts, in_period
from helpdesk.reports.queries import _survey_q
from helpdesk.surveys import scores
from helpdesk.surveys.models import SurveyKind, SurveyResponse


def churn(f: Filters, segment_contacts: QuerySet[Any] | None = None) -> dict[str, Any]:
    """Of the contacts with a conversation in the previous period, the share with none now."""
    prev = f.previous()
    before = facts(prev).filter(in_period("created_at", prev))
    now = facts(f).filter(in_period("created_at", f))
    if segment_contacts is not None:
        before = before.filter(contact_id_value__in=segment_contacts)
    before_ids = set(before.values_list("contact_id_value", flat=True))
    kept = set(
        now.filter(contact_id_value__in=before_ids).values_list("contact_id_value", flat=True)
    )
    lost = len(before_ids) - len(kept)
    return {
        "previous_contacts": len(before_ids),
        "returned": len(kept),
        "churned": lost,
        "churn_pct": round(100.0 * lost / len(before_ids), 1) if before_ids else None,
    }


def at_risk(f: Filters, segment_contacts: QuerySet[Any] | None = None) -> list[dict[str, Any]]:
    """Contacts whose last answer was CSAT <= 2 or an NPS detractor (<= 6), with no
    conversation since, among the filtered teams' answers up to `until`."""
    answers = SurveyResponse.objects.filter(_survey_q(f), answered_at__lt=f.until)
    if segment_contacts is not None:
        answers = answers.filter(contact_id__in=segment_contacts)
    last = answers.values("contact_id").annotate(at=Max("answered_at"))
    out = []
    for row in last.order_by("-at")[:500]:
        answer = (
            SurveyResponse.objects.filter(contact_id=row["contact_id"], answered_at=row["at"])
            .select_related("contact")
            .first()
        )
        if answer is None:
            continue
        bad = (answer.kind == SurveyKind.CSAT and answer.score <= 2) or (
            answer.kind == SurveyKind.NPS and answer.score <= scores.DETRACTOR_MAX
        )
        if not bad:
            continue
        if Ticket.objects.filter(contact_id=answer.contact_id, created_at__gt=answer.answered_at):
            continue
        out.append(
            {
                "contact_id": answer.contact_id,
                "name": str(answer.contact),
                "kind": answer.kind,
                "score": answer.score,
                "answered_at": answer.answered_at,
                "ticket_id": answer.ticket_id,
            }
        )
    return out
