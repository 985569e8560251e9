"""The shape of rule conditions and actions: one schema for the engine and the admin editor.

A condition is {"field", "op", "value"} (plus "name" for a contact attribute); an
action is {"type", ...its parameters}. `kind` says what a value is, and `options`
names the list a chooser offers (filled by helpdesk.automation.options), so the
editor shows a select of teams where the engine expects a team id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Value kinds: "text" (a non-empty string), "int" (a number), "id" (an int picked from
# `options`), "choice" (a string picked from `options`), "languages" ({lang: text}).
ALL_OPS = ("is", "is_not", "contains", "not_contains", "in", "gte", "lte")
OP_LABELS: dict[str, Promise] = {
    "is": _("is"),
    "is_not": _("is not"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "in": _("is one of"),
    "gte": _("is at least"),
    "lte": _("is at most"),
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    label: Promise
    kind: str
    ops: tuple[str, ...]
    options: str = ""


@dataclass(frozen=True, slots=True)
class ParamSpec:
    name: str
    label: Promise
    kind: str
    options: str = ""


@dataclass(frozen=True, slots=True)
class ActionSpec:
    label: Promise
    params: tuple[ParamSpec, ...] = ()


_CHOOSE = ("is", "is_not", "in")
_WORDS = ("contains", "not_contains", "is", "is_not")

FIELDS: dict[str, FieldSpec] = {
    "channel": FieldSpec(_("Channel"), "choice", _CHOOSE, "channels"),
    "inbox": FieldSpec(_("Inbox"), "id", _CHOOSE, "inboxes"),
    "team": FieldSpec(_("Team"), "id", _CHOOSE, "teams"),
    "subject": FieldSpec(_("Subject"), "text", _WORDS),
    "text": FieldSpec(_("Message text"), "text", _WORDS),
    "contact.language": FieldSpec(_("Contact language"), "choice", ("is", "is_not"), "languages"),
    "contact.attribute": FieldSpec(_("Contact attribute"), "text", _WORDS),
    # Typed attributes and tags of contacts and tickets (helpdesk.crm, issue 19).
    "ticket.attribute": FieldSpec(_("Ticket attribute"), "text", _WORDS),
    "contact.tags": FieldSpec(_("Contact tags"), "text", ("contains", "not_contains"), "tags"),
    # Membership of a saved contact segment (helpdesk.crm.segments), checked when the rule runs.
    "contact.segment": FieldSpec(_("Contact segment"), "id", _CHOOSE, "segments"),
    "business_hours": FieldSpec(_("Business hours"), "choice", ("is",), "open_closed"),
    "priority": FieldSpec(_("Priority"), "id", ("is", "is_not", "gte", "lte", "in"), "priorities"),
    "tags": FieldSpec(_("Tags"), "text", ("contains", "not_contains"), "tags"),
    "assignee": FieldSpec(_("Assignee"), "id", _CHOOSE, "assignees"),
    "status": FieldSpec(_("Status"), "choice", _CHOOSE, "statuses"),
    # The ticket's latest survey answer (the "Survey answered" trigger): helpdesk.surveys.
    "survey.score": FieldSpec(_("Survey score"), "int", ("is", "gte", "lte")),
    "survey.kind": FieldSpec(_("Survey kind"), "choice", ("is",), "survey_kinds"),
}

ACTIONS: dict[str, ActionSpec] = {
    "auto_reply": ActionSpec(
        _("Send an automatic reply"), (ParamSpec("template", _("Text"), "languages"),)
    ),
    "send_articles": ActionSpec(_("Send matching articles")),
    "assign_team": ActionSpec(
        _("Assign to team"), (ParamSpec("team_id", _("Team"), "id", "teams"),)
    ),
    "assign_agent": ActionSpec(
        _("Assign to agent"), (ParamSpec("user_id", _("Agent"), "id", "agents"),)
    ),
    "add_tag": ActionSpec(_("Add tag"), (ParamSpec("tag", _("Tag"), "text", "tags"),)),
    "set_priority": ActionSpec(
        _("Set priority"), (ParamSpec("priority", _("Priority"), "id", "priorities"),)
    ),
    "set_status": ActionSpec(
        _("Set status"), (ParamSpec("status", _("Status"), "choice", "statuses"),)
    ),
    "snooze": ActionSpec(_("Snooze"), (ParamSpec("hours", _("Hours"), "int"),)),
}


class SchemaError(ValueError):
    """A condition or action that does not fit the schema; `index` is its row (0-based)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


def _check_value(kind: str, value: Any, allowed: set[Any] | None) -> str | None:
    """Why `value` is not a `kind` (None when it is)."""
    if kind == "text":
        return None if isinstance(value, str) and value.strip() else str(_("enter a text"))
    if kind == "int":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        return None if ok else str(_("enter a positive number"))
    if kind == "languages":
        ok = isinstance(value, dict) and any(
            isinstance(v, str) and v.strip() for v in value.values()
        )
        return None if ok else str(_("enter the text in at least one language"))
    if kind == "id" and (isinstance(value, bool) or not isinstance(value, int | str)):
        return str(_("choose a value"))
    if allowed is not None and value not in allowed:
        return str(_("choose a value from the list"))
    if value in ("", None):
        return str(_("choose a value"))
    return None


def check_condition(cond: Any, choices: dict[str, set[Any]] | None = None) -> None:
    """Raise SchemaError unless `cond` fits FIELDS; `choices` (option name -> allowed values)
    also checks that picked values still exist."""
    if not isinstance(cond, dict):
        raise SchemaError(str(_("not a condition")))
    spec = FIELDS.get(cond.get("field", ""))
    if spec is None:
        raise SchemaError(str(_("unknown field %(field)r")) % {"field": cond.get("field")})
    op = cond.get("op", "is")
    if op not in spec.ops:
        raise SchemaError(str(_("choose an operator that fits the field")))
    named = cond["field"] in {"contact.attribute", "ticket.attribute"}
    if named and not str(cond.get("name", "")).strip():
        raise SchemaError(str(_("enter the attribute name")))
    allowed = (choices or {}).get(spec.options) if spec.kind in {"id", "choice"} else None
    values = cond.get("value")
    # "in" takes a list; "contains" takes a word or a list of words (any of them).
    if op == "in" or (op in {"contains", "not_contains"} and isinstance(values, list)):
        if not isinstance(values, list) or not values:
            raise SchemaError(str(_("choose at least one value")))
    else:
        values = [values]
    for value in values:
        problem = _check_value(spec.kind, value, allowed)
        if problem:
            raise SchemaError(problem)


def check_action(action: Any, choices: dict[str, set[Any]] | None = None) -> None:
    """Raise SchemaError unless `action` fits ACTIONS (and its picks exist, given `choices`)."""
    if not isinstance(action, dict):
        raise SchemaError(str(_("not an action")))
    spec = ACTIONS.get(action.get("type", ""))
    if spec is None:
        raise SchemaError(str(_("unknown action %(type)r")) % {"type": action.get("type")})
    for param in spec.params:
        allowed = (choices or {}).get(param.options) if param.kind in {"id", "choice"} else None
        problem = _check_value(param.kind, action.get(param.name), allowed)
        if problem:
            raise SchemaError(f"{param.label}: {problem}")
