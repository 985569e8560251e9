"""The lists the rule editor offers (teams, agents, inboxes...), read when a form is built."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from helpdesk import channels
from helpdesk.automation import schema
from helpdesk.models import Inbox, Priority, Segment, Team, Ticket, TicketStatus

# Tags are free text; the editor suggests the ones in use on recent tickets.
_RECENT_TICKETS = 500


def _recent_tags() -> list[str]:
    seen: set[str] = set()
    for tags in Ticket.objects.order_by("-id").values_list("tags", flat=True)[:_RECENT_TICKETS]:
        seen.update(str(t) for t in tags or [])
    return sorted(seen)


def _agents() -> list[tuple[Any, str]]:
    users = get_user_model().objects.filter(agent__isnull=False, is_active=True)
    found = []
    for user in users.select_related("agent").order_by("agent__display_name", "username"):
        name = user.agent.display_name or user.get_full_name() or user.get_username()
        found.append((user.pk, name))
    return found


def option_lists() -> dict[str, list[tuple[Any, str]]]:
    """Option name -> [(value, label)] for every `options` the schema names."""
    agents = _agents()
    return {
        "channels": [(k, str(label)) for k, label in channels.kind_choices()],
        "inboxes": [(i.pk, i.name) for i in Inbox.objects.order_by("name")],
        "teams": [(t.pk, t.name) for t in Team.objects.order_by("name")],
        "languages": [(code, str(name)) for code, name in settings.LANGUAGES],
        "open_closed": [("open", _("open")), ("closed", _("closed"))],
        "survey_kinds": [("csat", "CSAT"), ("nps", "NPS")],
        "priorities": [(v, str(label)) for v, label in Priority.choices],
        "statuses": [(v, str(label)) for v, label in TicketStatus.choices],
        "agents": agents,
        "assignees": [("none", _("nobody")), *agents],
        "tags": [(t, t) for t in _recent_tags()],
        "segments": [(g.pk, g.name) for g in Segment.objects.order_by("name")],
    }


def allowed_values(lists: dict[str, list[tuple[Any, str]]]) -> dict[str, set[Any]]:
    """The values each chooser accepts (tags stay free text, so they are not listed)."""
    return {name: {v for v, _label in items} for name, items in lists.items() if name != "tags"}


def editor_schema(lists: dict[str, list[tuple[Any, str]]]) -> dict[str, Any]:
    """What the rule editor's script needs: fields, operators, actions and their options."""
    return {
        "fields": {
            name: {
                "label": str(spec.label),
                "kind": spec.kind,
                "ops": list(spec.ops),
                "options": spec.options,
            }
            for name, spec in schema.FIELDS.items()
        },
        "ops": {op: str(label) for op, label in schema.OP_LABELS.items()},
        "actions": {
            name: {
                "label": str(spec.label),
                "params": [
                    {"name": p.name, "label": str(p.label), "kind": p.kind, "options": p.options}
                    for p in spec.params
                ],
            }
            for name, spec in schema.ACTIONS.items()
        },
        "options": {name: [[v, str(label)] for v, label in items] for name, items in lists.items()},
        "languages": [[code, str(name)] for code, name in settings.LANGUAGES],
        "labels": {
            "choose": _("choose…"),
            "field": _("Field"),
            "operator": _("Operator"),
            "value": _("Value"),
            "attribute": _("Attribute name"),
            "action": _("Action"),
            "remove": _("Remove"),
            "remove_row": _("Remove this row"),
            "add_condition": _("Add condition"),
            "add_action": _("Add action"),
            "comma": _("several separated by commas"),
        },
    }


def _shown(value: Any, items: list[tuple[Any, str]]) -> str:
    labels = {str(v): label for v, label in items}
    values = value if isinstance(value, list) else [value]
    return ", ".join(str(labels.get(str(v), v)) for v in values)


def describe_condition(cond: dict[str, Any], lists: dict[str, list[tuple[Any, str]]]) -> str:
    """A condition in words, with names for ids: "Team is Support"."""
    spec = schema.FIELDS.get(cond.get("field", ""))
    if spec is None:
        return str(cond.get("field"))
    label = str(spec.label)
    if cond.get("name"):
        label += f" “{cond['name']}”"
    op = cond.get("op", "is")
    shown = _shown(cond.get("value"), lists.get(spec.options, []))
    return f"{label} {schema.OP_LABELS.get(op, op)} {shown}"


def describe_action(action: dict[str, Any], lists: dict[str, list[tuple[Any, str]]]) -> str:
    """An action in words: "Assign to team — Team: Support"."""
    spec = schema.ACTIONS.get(action.get("type", ""))
    if spec is None:
        return str(action.get("type"))
    parts = [str(spec.label)]
    for param in spec.params:
        value = action.get(param.name)
        if isinstance(value, dict):
            shown = " / ".join(str(v) for v in value.values())
        else:
            shown = _shown(value, lists.get(param.options, []))
        parts.append(f"{param.label}: {shown}")
    return " — ".join(parts)
