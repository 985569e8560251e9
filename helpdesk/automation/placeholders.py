"""Placeholders in automatic messages: {{contact.name}}, {{ticket.number}}, ...

Substitution is plain text replacement of known names, never template
execution, so an admin's template cannot run code or read other data.
"""

from __future__ import annotations

import re
from typing import Any

from helpdesk.models import Ticket

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")


def values_for(ticket: Ticket, agent_user: Any = None) -> dict[str, str]:
    """Placeholder values; {{agent.name}} is `agent_user` (who writes) or the assignee."""
    assignee = agent_user or ticket.assignee
    agent_name = ""
    if assignee is not None:
        agent = getattr(assignee, "agent", None)
        agent_name = (agent.display_name if agent else "") or assignee.get_username()
    return {
        "contact.name": ticket.contact.name,
        "ticket.number": str(ticket.pk),
        "ticket.subject": ticket.subject,
        "ticket.status": ticket.get_status_display(),
        "inbox.name": ticket.inbox.name,
        "agent.name": agent_name,
    }


def render(template: str, ticket: Ticket, agent_user: Any = None) -> str:
    """Replace known placeholders; unknown ones are left as written."""
    values = values_for(ticket, agent_user)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def pick_language(templates: dict[str, str], language: str) -> str:
    """The template in the customer's language, else English, else any."""
    return templates.get(language) or templates.get("en") or next(iter(templates.values()), "")
