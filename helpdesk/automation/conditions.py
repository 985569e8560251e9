"""Rule conditions: each is {"field": ..., "op": ..., "value": ...}; all must hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from helpdesk.automation import config_cache, schema
from helpdesk.automation.hours import is_open
from helpdesk.models import Match, Message, Rule, Ticket

FIELDS = set(schema.FIELDS)
OPS = set(schema.ALL_OPS)


class InvalidCondition(schema.SchemaError):
    pass


def _fold(text: str) -> str:
    # The same letter folding as search: Arabic ي/ك typed for Persian ی/ک.
    from helpdesk.normalize import normalize

    return normalize(text)


@dataclass(frozen=True, slots=True)
class Context:
    ticket: Ticket
    message: Message | None


def validate(conditions: Any, choices: dict[str, set[Any]] | None = None) -> None:
    """Raise InvalidCondition (with the row in `index`) unless every condition fits the
    schema; `choices` (see helpdesk.automation.options) also checks picked ids exist."""
    if not isinstance(conditions, list):
        raise InvalidCondition("conditions must be a list")
    for index, c in enumerate(conditions):
        try:
            schema.check_condition(c, choices)
        except schema.SchemaError as exc:
            raise InvalidCondition(exc.message, index) from exc


def _value_of(field: str, cond: dict[str, Any], ctx: Context) -> Any:
    ticket = ctx.ticket
    if field == "channel":
        return ticket.inbox.kind
    if field == "inbox":
        return ticket.inbox_id
    if field == "team":
        return ticket.team_id
    if field == "subject":
        return _fold(ticket.subject)
    if field == "text":
        return _fold(ctx.message.text if ctx.message else "")
    if field == "contact.language":
        return ticket.contact.language
    if field == "contact.attribute":
        return (ticket.contact.custom_attributes or {}).get(cond.get("name", ""))
    if field == "ticket.attribute":
        return (ticket.custom_attributes or {}).get(cond.get("name", ""))
    if field == "contact.tags":
        return list(ticket.contact.tags or [])
    if field == "business_hours":
        settings = config_cache.inbox_automation(ticket.inbox_id)
        hours = settings.business_hours if settings else None
        return "open" if hours is None or is_open(hours, timezone.now()) else "closed"
    if field == "priority":
        return ticket.priority
    if field == "tags":
        return list(ticket.tags)
    if field in {"survey.score", "survey.kind"}:
        return _latest_survey_answer(ticket.pk, field)
    if field == "assignee":
        return ticket.assignee_id if ticket.assignee_id else "none"
    return ticket.status


def _latest_survey_answer(ticket_id: int, field: str) -> Any:
    from helpdesk.surveys.models import SurveyResponse

    answer = SurveyResponse.objects.filter(ticket_id=ticket_id).order_by("-updated_at").first()
    if answer is None:
        return None
    return answer.score if field == "survey.score" else answer.kind


def _in_segments(contact_id: int, segment_ids: list[Any]) -> bool:
    """Whether the contact is a member of any of the segments (one query per segment;
    a deleted segment holds no one)."""
    from helpdesk.crm import segments
    from helpdesk.models import Segment

    for segment in Segment.objects.filter(pk__in=[int(i) for i in segment_ids]):
        if segments.members(segment).filter(pk=contact_id).exists():
            return True
    return False


def holds(cond: dict[str, Any], ctx: Context) -> bool:
    field, op, expected = cond["field"], cond.get("op", "is"), cond.get("value")
    if field == "contact.segment":
        wanted = expected if isinstance(expected, list) else [expected]
        inside = _in_segments(ctx.ticket.contact_id, wanted)
        return not inside if op == "is_not" else inside
    actual = _value_of(field, cond, ctx)
    if field in {"subject", "text"} and isinstance(expected, str):
        expected = _fold(expected)
    if op == "is":
        return bool(actual == expected)
    if op == "is_not":
        return bool(actual != expected)
    if op in {"contains", "not_contains"}:
        words = expected if isinstance(expected, list) else [expected]
        if field in {"subject", "text"}:
            found = any(_fold(str(w)) in actual for w in words)
        else:
            found = any(w in (actual or []) for w in words)
        return found if op == "contains" else not found
    if op == "in":
        return actual in (expected or [])
    if op == "gte":
        return actual is not None and actual >= expected
    return actual is not None and actual <= expected


def matches(rule: Rule, ctx: Context) -> bool:
    """Whether the rule's conditions hold: all of them, or any one for a rule that
    matches "any"; a rule without conditions always matches."""
    if not rule.conditions:
        return True
    found = (holds(c, ctx) for c in rule.conditions)
    return any(found) if rule.match == Match.ANY else all(found)


def explain(conditions: list[dict[str, Any]], ctx: Context) -> list[tuple[dict[str, Any], bool]]:
    """Each condition with whether it holds (the dry run shows this)."""
    return [(c, holds(c, ctx)) for c in conditions]
