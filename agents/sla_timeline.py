"""SLA and time-rule events as timeline sentences (helpdesk.sla, docs/sla.md)."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from agents.templatetags.desk import when
from helpdesk.models import TicketEvent
from helpdesk.sla.event_schemas import SlaEventType
from helpdesk.sla.models import Target

SLA_EVENTS = (
    SlaEventType.SLA_APPLIED,
    SlaEventType.SLA_BREACHED,
    SlaEventType.TIME_RULE_FIRED,
)


def _target(p: dict[str, Any]) -> str:
    try:
        return str(Target(p.get("target", "")).label)
    except ValueError:
        return str(p.get("target", ""))


def describe_sla(event: TicketEvent) -> SafeString:
    """One sentence for an SLA event; names and rule names isolated in <bdi>."""
    p: dict[str, Any] = event.payload
    if event.type == SlaEventType.SLA_BREACHED:
        return format_html(
            _("SLA breached: {target} was due {due} ({policy})"),
            target=_target(p),
            due=when(_parse(p.get("due_at"))),
            policy=format_html("<bdi>{}</bdi>", p.get("policy", "")),
        )
    if event.type == SlaEventType.TIME_RULE_FIRED:
        return format_html(
            _("Time rule {rule} acted on the ticket"),
            rule=format_html("<bdi>{}</bdi>", p.get("rule", "")),
        )
    if not p.get("policy"):
        return format_html(_("No SLA policy covers the ticket any more"))
    return format_html(
        _("SLA policy {policy} applies"), policy=format_html("<bdi>{}</bdi>", p["policy"])
    )


def _parse(value: Any) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value) if isinstance(value, str) else None
