"""What a rule can do. Each action runs through helpdesk.actions as the automation user."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.actions.automatic import do_send_automatic
from helpdesk.actions.tickets import (
    do_assign,
    do_set_priority,
    do_set_status,
    do_set_tags,
    do_set_team,
)
from helpdesk.automation import schema
from helpdesk.automation.placeholders import pick_language, render
from helpdesk.models import InboxAutomation, Message, Ticket

KINDS = set(schema.ACTIONS)
DEFLECT_SALT = "helpdesk.deflect"


class InvalidAction(schema.SchemaError):
    pass


def validate(actions: Any, choices: dict[str, set[Any]] | None = None) -> None:
    """Raise InvalidAction (with the row in `index`) unless there is at least one action
    and each fits the schema; `choices` also checks that picked ids exist."""
    if not isinstance(actions, list) or not actions:
        raise InvalidAction(str(_("a rule needs at least one action")))
    for index, a in enumerate(actions):
        try:
            schema.check_action(a, choices)
        except schema.SchemaError as exc:
            raise InvalidAction(exc.message, index) from exc


def describe(action: dict[str, Any]) -> str:
    rest = {k: v for k, v in action.items() if k != "type"}
    return f"{action['type']} {rest}" if rest else str(action["type"])


def _cap(ticket: Ticket) -> int:
    settings = InboxAutomation.objects.filter(inbox_id=ticket.inbox_id).first()
    return settings.max_automatic_per_hour if settings else 3


def deflect_token(ticket_id: int, language: str = "") -> str:
    """The signed "this solved it" token; `language` is the one the message was written in,
    so the confirmation page speaks it even when the contact's language is unknown."""
    data: dict[str, Any] = {"t": ticket_id}
    if language:
        data["l"] = language
    return signing.dumps(data, salt=DEFLECT_SALT)


def articles_message(ticket: Ticket, text: str, threshold: float = 0.0) -> str | None:
    """A message listing articles that match `text`, with a "this solved it" link."""
    from helpdesk.suggestions import suggest_articles

    found = [s for s in suggest_articles(text, ticket.contact.language, 3) if s.score >= threshold]
    if not found:
        return None
    from django.conf import settings

    base = settings.PUBLIC_BASE_URL.rstrip("/")
    fa = (ticket.contact.language or found[0].locale) == "fa"
    intro = "این مقاله‌ها شاید کمک کنند:" if fa else "These articles may help:"
    solved = "مشکل حل شد؟ اینجا بزنید:" if fa else "Did this solve it? Let us know:"
    wait = (
        "اگر نه، پاسخ دهید تا همکاران ما پیگیری کنند."
        if fa
        else "If not, just reply and a person will follow up."
    )
    token = deflect_token(ticket.pk, "fa" if fa else "en")
    link = base + reverse("automation-solved", args=[token])
    lines = [intro, *[f"• {s.title}: {base}{s.url}" for s in found], "", f"{solved} {link}", wait]
    return "\n".join(lines)


def run(action: dict[str, Any], ticket: Ticket, message: Message | None, actor: Any) -> None:
    kind = action["type"]
    if kind == "auto_reply":
        template = action.get("template") or {}
        if isinstance(template, str):
            template = {"en": template}
        text = render(pick_language(template, ticket.contact.language), ticket)
        do_send_automatic(ticket.pk, text, reason="rule", cap_per_hour=_cap(ticket))
    elif kind == "send_articles":
        articles = articles_message(ticket, message.text if message else ticket.subject)
        if articles:
            do_send_automatic(ticket.pk, articles, reason="articles", cap_per_hour=_cap(ticket))
    elif kind == "assign_team":
        do_set_team(actor, ticket.pk, int(action["team_id"]))
    elif kind == "assign_agent":
        do_assign(actor, ticket.pk, int(action["user_id"]))
    elif kind == "add_tag":
        do_set_tags(actor, ticket.pk, [*ticket.tags, str(action["tag"])])
    elif kind == "set_priority":
        do_set_priority(actor, ticket.pk, int(action["priority"]))
    elif kind == "set_status":
        do_set_status(actor, ticket.pk, str(action["status"]))
    elif kind == "snooze":
        until = timezone.now() + timedelta(hours=float(action.get("hours", 24)))
        do_set_status(actor, ticket.pk, "snoozed", snoozed_until=until)
