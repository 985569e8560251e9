"""The contacts page's query string <-> `helpdesk.crm.filters.ContactFilter`."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from pydantic import ValidationError

from helpdesk.crm.filters import OPERATORS, AttributeCondition, ContactFilter

SORTS = {
    "newest": ("-id",),
    "oldest": ("id",),
    "name": ("search_name", "id"),
    "-name": ("-search_name", "-id"),
}


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def from_query(params: QueryDict) -> tuple[ContactFilter, list[str]]:
    """The filter the page's form describes, and the problems found (shown, not fatal)."""
    problems: list[str] = []
    data: dict[str, Any] = {
        "q": params.get("q", "").strip()[:200],
        "tags": [t for t in params.get("tag", "").split(",") if t.strip()][:20],
        "channel": params.get("channel", "")[:16],
        "company_id": _int(params.get("company")),
        "seen_within_days": _int(params.get("seen")),
        "not_seen_for_days": _int(params.get("unseen")),
        "has_open_tickets": {"yes": True, "no": False}.get(params.get("open", "")),
        "csat_min": _int(params.get("csat_min")),
        "csat_max": _int(params.get("csat_max")),
        "nps": params.get("nps") or None,
        "surveyed_within_days": _int(params.get("surveyed")),
    }
    key, op = params.get("attr", "").strip(), params.get("op", "eq")
    if key:
        value: Any = params.get("val", "")
        if op in ("gt", "gte", "lt", "lte"):
            value = _number(value)
        understood = len(problems)
        if op in ("eq", "ne", "gt", "gte", "lt", "lte"):
            value = _typed(key, value, problems)
        try:
            if len(problems) == understood:  # a value its type refuses: the condition goes
                data["attributes"] = [
                    AttributeCondition(key=key, op=op if op in OPERATORS else "eq", value=value)
                ]
        except ValidationError:
            problems.append(f"attribute {key!r}")
    try:
        return ContactFilter.model_validate(data), problems
    except ValidationError as exc:
        problems += [str(e["loc"][0]) for e in exc.errors()]
        return ContactFilter(q=data["q"]), problems


def _typed(key: str, value: Any, problems: list[str]) -> Any:
    """The value as the attribute stores it, so "GOLD", a Jalali date typed in Persian
    digits or "بله" compare with what was saved ("gold", "2024-08-02", true)."""
    from helpdesk.actions.errors import ActionError
    from helpdesk.crm.attributes import clean_value
    from helpdesk.models import AttributeDefinition

    defn = AttributeDefinition.objects.filter(entity="contact", key=key).first()
    if defn is None or defn.type == "text" or value in ("", None):
        return value
    try:
        return clean_value(defn, value)
    except ActionError:
        problems.append(f"attribute {key!r}")
        return value


def _number(raw: str) -> Any:
    from helpdesk.digits import ascii_digits

    text = ascii_digits(raw).strip()
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text  # ISO dates compare as text


def to_query(flt: ContactFilter) -> dict[str, str]:
    """The page's query parameters for a saved filter (a segment opened on the page)."""
    out: dict[str, str] = {}
    if flt.q:
        out["q"] = flt.q
    if flt.tags:
        out["tag"] = ",".join(flt.tags)
    if flt.channel:
        out["channel"] = flt.channel
    for name, key in (
        ("company_id", "company"),
        ("seen_within_days", "seen"),
        ("not_seen_for_days", "unseen"),
        ("csat_min", "csat_min"),
        ("csat_max", "csat_max"),
        ("surveyed_within_days", "surveyed"),
    ):
        if getattr(flt, name) is not None:
            out[key] = str(getattr(flt, name))
    if flt.nps is not None:
        out["nps"] = flt.nps
    if flt.has_open_tickets is not None:
        out["open"] = "yes" if flt.has_open_tickets else "no"
    if flt.attributes:
        cond = flt.attributes[0]
        out.update(attr=cond.key, op=cond.op, val="" if cond.value is None else str(cond.value))
    return out
