"""Read-side queries of the phone channel (call log filters)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from channels_in.phone.calls import normalize_number
from channels_in.phone.models import Call, CallOutcome, PhoneLine
from helpdesk.digits import ascii_digits
from helpdesk.staff.access import is_admin, team_ids


def visible_calls(user: Any) -> QuerySet[Call]:
    calls = Call.objects.select_related("line__inbox", "contact", "agent", "ticket")
    if is_admin(user):
        return calls
    return calls.filter(line__inbox__team_id__in=team_ids(user))


def visible_lines(user: Any) -> QuerySet[PhoneLine]:
    lines = PhoneLine.objects.select_related("inbox")
    return lines if is_admin(user) else lines.filter(inbox__team_id__in=team_ids(user))


def call_log(user: Any, params: Any) -> tuple[QuerySet[Call], dict[str, str]]:
    calls = visible_calls(user)
    filters = {k: str(params.get(k, "")).strip() for k in ("missed", "line", "agent", "number")}
    if filters["missed"]:
        calls = calls.filter(
            outcome__in=[CallOutcome.MISSED, CallOutcome.BUSY, CallOutcome.VOICEMAIL],
            direction="in",
        )
    if filters["missed"] == "callback":
        calls = calls.filter(needs_callback=True)
    if filters["line"].isdigit():
        calls = calls.filter(line_id=int(filters["line"]))
    if filters["agent"].isdigit():
        calls = calls.filter(agent_id=int(filters["agent"]))
    if filters["number"]:
        calls = calls.filter(_number_query(filters["number"]))
    return calls.order_by("-started_at", "-id"), filters


def _number_query(raw: str) -> Q:
    """Match a number typed in any format: its E.164 form, or its digits as a part."""
    e164 = normalize_number(raw, "IR")
    query = Q(customer_number=e164) if e164.startswith("+") else Q(pk__in=[])
    digits = "".join(ch for ch in ascii_digits(raw) if ch.isdigit()).lstrip("0")
    if len(digits) >= 4:
        query |= Q(customer_number__contains=digits)
    return query
