"""What a time rule can do; each action goes through helpdesk.actions as the automation user."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.actions.automatic import do_send_automatic
from helpdesk.actions.tickets import do_assign, do_set_priority, do_set_status, do_set_tags
from helpdesk.automation.placeholders import pick_language, render
from helpdesk.automation.schema import ActionSpec, ParamSpec, SchemaError
from helpdesk.macros.models import Macro
from helpdesk.models import AssignmentMode, AssignmentPolicy, Priority, Ticket, TicketStatus
from helpdesk.staff import assignment

ACTIONS: dict[str, ActionSpec] = {
    "assign": ActionSpec(
        gettext_lazy("Assign or reassign"),
        (ParamSpec("mode", gettext_lazy("How"), "choice", "assign_modes"),),
    ),
    "assign_agent": ActionSpec(
        gettext_lazy("Assign to agent"),
        (ParamSpec("user_id", gettext_lazy("Agent"), "id", "agents"),),
    ),
    "notify": ActionSpec(
        gettext_lazy("Notify"), (ParamSpec("who", gettext_lazy("Whom"), "choice", "notify_whom"),)
    ),
    "raise_priority": ActionSpec(gettext_lazy("Raise priority one step")),
    "set_priority": ActionSpec(
        gettext_lazy("Set priority"),
        (ParamSpec("priority", gettext_lazy("Priority"), "id", "priorities"),),
    ),
    "add_tag": ActionSpec(
        gettext_lazy("Add tag"), (ParamSpec("tag", gettext_lazy("Tag"), "text", "tags"),)
    ),
    "send_message": ActionSpec(
        gettext_lazy("Send a message to the customer"),
        (ParamSpec("template", gettext_lazy("Text"), "languages"),),
    ),
    "send_template": ActionSpec(
        gettext_lazy("Send a reply template to the customer"),
        (ParamSpec("macro_id", gettext_lazy("Template"), "id", "reply_templates"),),
    ),
    "resolve": ActionSpec(gettext_lazy("Resolve")),
}


def option_lists() -> dict[str, list[tuple[Any, str]]]:
    """The choosers of these actions beyond the rule editor's own lists."""
    return {
        "assign_modes": [
            (AssignmentMode.ROUND_ROBIN.value, _("Round robin among online agents")),
            (AssignmentMode.LEAST_OPEN.value, _("Least busy online agent")),
        ],
        # Shared macros' replies (a personal macro is its owner's alone).
        "reply_templates": [
            (m.pk, m.name)
            for m in Macro.objects.filter(owner__isnull=True).exclude(reply_template="")
        ],
        "notify_whom": [
            ("assignee", _("The assignee (or the team when unassigned)")),
            ("team", _("The team's agents")),
            ("supervisors", _("The team's supervisors")),
        ],
    }


def _value_problem(kind: str, value: Any, allowed: set[Any] | None) -> str | None:
    if kind == "languages":
        ok = isinstance(value, dict) and any(
            isinstance(v, str) and v.strip() for v in value.values()
        )
        return None if ok else _("enter the text in at least one language")
    if kind == "text":
        return None if isinstance(value, str) and value.strip() else _("enter a text")
    if value in ("", None) or isinstance(value, bool | dict | list):
        return _("choose a value")
    if allowed is not None and value not in allowed and str(value) not in map(str, allowed):
        return _("choose a value from the list")
    return None


def validate(actions: Any, choices: dict[str, set[Any]] | None = None) -> None:
    """Raise SchemaError (with the row in `index`) unless every action fits ACTIONS."""
    if not isinstance(actions, list) or not actions:
        raise SchemaError(_("a rule needs at least one action"))
    for index, action in enumerate(actions):
        spec = ACTIONS.get(action.get("type", "")) if isinstance(action, dict) else None
        if spec is None:
            raise SchemaError(_("unknown action"), index)
        for param in spec.params:
            allowed = (choices or {}).get(param.options) if param.kind in {"id", "choice"} else None
            problem = _value_problem(param.kind, action.get(param.name), allowed)
            if problem:
                raise SchemaError(f"{param.label}: {problem}", index)


def describe(action: dict[str, Any]) -> str:
    rest = {k: v for k, v in action.items() if k not in {"type", "template"}}
    return f"{action['type']} {rest}" if rest else str(action["type"])


def _reassign(ticket: Ticket, mode: str, actor: Any) -> int | None:
    """Round robin or least busy among the team's online agents, the current one left out."""
    if ticket.team_id is None:
        return None
    with transaction.atomic():
        policy = AssignmentPolicy.objects.select_for_update().filter(team_id=ticket.team_id).first()
        transient = policy or AssignmentPolicy(team_id=ticket.team_id)
        chooser = AssignmentPolicy(
            team_id=ticket.team_id,
            mode=mode,
            max_open_per_agent=transient.max_open_per_agent,
            last_assigned_id=transient.last_assigned_id,
        )
        pool = [c for c in assignment.candidates(chooser) if c[0] != ticket.assignee_id]
        chosen = assignment.choose(chooser, pool)
        if chosen is None:
            return None
        do_assign(actor, ticket.pk, chosen)
        if policy is not None:
            policy.last_assigned_id = chosen
            policy.save(update_fields=["last_assigned"])
        return chosen


def _notify(ticket: Ticket, who: str, rule_name: str) -> None:
    from django.apps import apps

    from helpdesk.models import Agent, Role
    from helpdesk.sla.notify import recipients

    if who == "assignee":
        users = recipients(ticket, supervisors=False)
    elif ticket.team_id is None:
        users = set()
    else:
        agents = Agent.objects.filter(teams=ticket.team_id)
        if who == "supervisors":
            agents = agents.filter(role=Role.SUPERVISOR)
        users = set(agents.values_list("user_id", flat=True))
    if not users or not apps.is_installed("helpdesk.notifications"):
        return
    from helpdesk.notifications.actions import notify

    notify(
        users,
        "time_rule",
        ticket_id=ticket.pk,
        # Rendered in each recipient's language (the rule's name is the admin's text).
        title=lambda: _("%(rule)s: #%(n)s") % {"rule": rule_name, "n": ticket.pk},
        body=ticket.subject,
    )


def run(action: dict[str, Any], ticket: Ticket, actor: Any, rule_name: str) -> None:
    """Do one action on the ticket."""
    kind = action["type"]
    if kind == "assign":
        _reassign(ticket, str(action["mode"]), actor)
    elif kind == "assign_agent":
        do_assign(actor, ticket.pk, int(action["user_id"]))
    elif kind == "notify":
        _notify(ticket, str(action["who"]), rule_name)
    elif kind == "raise_priority":
        do_set_priority(actor, ticket.pk, min(ticket.priority + 1, max(Priority.values)))
    elif kind == "set_priority":
        do_set_priority(actor, ticket.pk, int(action["priority"]))
    elif kind == "add_tag":
        do_set_tags(actor, ticket.pk, [*ticket.tags, str(action["tag"])])
    elif kind == "send_message":
        template = action.get("template") or {}
        text = render(pick_language(template, ticket.contact.language), ticket)
        do_send_automatic(ticket.pk, text, reason="rule")
    elif kind == "send_template":
        _send_template(ticket, int(action["macro_id"]))
    elif kind == "resolve":
        do_set_status(actor, ticket.pk, TicketStatus.RESOLVED)


def _send_template(ticket: Ticket, macro_id: int) -> None:
    """A shared macro's reply, sent as an automatic message (only its reply: the rule's
    other actions do the rest). A macro deleted since sends nothing."""
    macro = Macro.objects.filter(pk=macro_id, owner__isnull=True).first()
    if macro is None or not macro.reply_template.strip():
        return
    do_send_automatic(ticket.pk, render(macro.reply_template, ticket), reason="rule")
