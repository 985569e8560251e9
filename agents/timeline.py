"""One timeline per ticket: messages, notes and calls of every channel, and status events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agents.sla_timeline import SLA_EVENTS, describe_sla
from helpdesk.digits import persian_digits
from helpdesk.events import EventType
from helpdesk.models import Agent, Message, Priority, Ticket, TicketEvent, TicketStatus

SHOWN_EVENTS = (
    EventType.TICKET_ASSIGNED,
    EventType.TICKET_STATUS_CHANGED,
    EventType.TICKET_PRIORITY_CHANGED,
    EventType.TICKET_TAGS_CHANGED,
    EventType.TICKET_MERGED,
    EventType.SURVEY_ANSWERED,
    EventType.TICKET_REFERRED,
    EventType.TICKET_SPLIT,
    EventType.TASK_CREATED,
    EventType.TASK_REFERRED,
    *SLA_EVENTS,
)


@dataclass(frozen=True)
class Entry:
    at: datetime
    message: Message | None = None
    event: TicketEvent | None = None
    text: str = ""  # HTML for events (names in <bdi>)
    refused: tuple[Refused, ...] = ()


@dataclass(frozen=True)
class Refused:
    """An attachment the desk did not store (too large), shown so agents can ask again."""

    name: str
    size: int | None
    reason: str


def refused_attachments(message: Message) -> tuple[Refused, ...]:
    """What ingest recorded in `channel_meta["refused_attachments"]`, tolerating old shapes."""
    meta = message.channel_meta if isinstance(message.channel_meta, dict) else {}
    items = meta.get("refused_attachments")
    if not isinstance(items, list):
        return ()
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        size = item.get("size")
        reason = str(item.get("reason") or "")
        limit = item.get("limit")
        if item.get("code") == "too_large" and isinstance(limit, int):
            reason = _("larger than the %(limit)s limit") % {"limit": filesizeformat(limit)}
        found.append(
            Refused(
                name=str(item.get("name") or _("attachment")),
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                reason=reason,
            )
        )
    return tuple(found)


def _names(events: list[TicketEvent]) -> dict[int, str]:
    ids: set[int] = set()
    for e in events:
        ids.update(i for i in (e.actor_id, e.payload.get("assignee_id")) if i)
    return {a.user_id: str(a) for a in Agent.objects.filter(user_id__in=ids).select_related("user")}


def localize_digits(value: Any) -> str:
    text = "" if value is None else str(value)
    return persian_digits(text) if (get_language() or "").startswith("fa") else text


def _sentence(template: str, **values: Any) -> SafeString:
    """`template` % values as HTML, each value isolated in <bdi>.

    A Persian name in an English sentence (or the reverse) would otherwise drag
    its neighbours into its own direction ("set the status to Pending مریم").
    """
    isolated = {k: format_html("<bdi>{}</bdi>", v) for k, v in values.items()}
    return mark_safe(conditional_escape(template) % isolated)  # noqa: S308  (escaped above)


def describe(event: TicketEvent, names: dict[int, str]) -> SafeString:
    """A sentence in the agent's language for one status / assignment event."""
    who = names.get(event.actor_id or 0) or _("System")
    p: dict[str, Any] = event.payload
    if event.type == EventType.TICKET_ASSIGNED:
        if not p.get("assignee_id"):
            return _sentence(_("%(who)s unassigned the ticket"), who=who)
        agent = names.get(p["assignee_id"], "?")
        return _sentence(_("%(who)s assigned the ticket to %(agent)s"), who=who, agent=agent)
    if event.type == EventType.TICKET_STATUS_CHANGED:
        label = dict(TicketStatus.choices).get(p.get("status", ""), p.get("status", ""))
        return _sentence(_("%(who)s set the status to %(status)s"), who=who, status=label)
    if event.type == EventType.TICKET_PRIORITY_CHANGED:
        label = dict(Priority.choices).get(p.get("priority", 0), "")
        return _sentence(_("%(who)s set the priority to %(priority)s"), who=who, priority=label)
    if event.type == EventType.SURVEY_ANSWERED:
        return _survey_sentence(p)
    if event.type in WORK_EVENTS:
        return _work_sentence(event, who, names)
    if event.type in SLA_EVENTS:
        return describe_sla(event)
    if event.type == EventType.TICKET_TAGS_CHANGED:
        tags = ", ".join(p.get("tags", [])) or "—"
        return _sentence(_("%(who)s set the tags to %(tags)s"), who=who, tags=tags)
    return _sentence(
        _("%(who)s merged ticket #%(source)s into #%(target)s"),
        who=who,
        source=localize_digits(p.get("ticket_id")),
        target=localize_digits(p.get("merged_into")),
    )


WORK_EVENTS = (
    EventType.TICKET_REFERRED,
    EventType.TICKET_SPLIT,
    EventType.TASK_CREATED,
    EventType.TASK_REFERRED,
)


def _work_sentence(event: TicketEvent, who: str, names: dict[int, str]) -> SafeString:
    """Referrals, splits and tasks on the timeline (helpdesk.followups, docs/tasks.md)."""
    p: dict[str, Any] = event.payload
    note = p.get("note") or ""
    if event.type == EventType.TICKET_SPLIT:
        n = localize_digits(p.get("split_into"))
        if p.get("split_into") == event.ticket_id:
            source = localize_digits(p.get("ticket_id"))
            return _sentence(_("%(who)s split this ticket from #%(n)s"), who=who, n=source)
        return _sentence(_("%(who)s split messages into ticket #%(n)s"), who=who, n=n)
    if event.type == EventType.TASK_CREATED:
        return _sentence(_("%(who)s added the task %(title)s"), who=who, title=p.get("title", ""))
    target = names.get(p["assignee_id"], "?") if p.get("assignee_id") else _team_name(p)
    what = _("the task %(title)s") % {"title": p.get("title", "")}
    if event.type == EventType.TICKET_REFERRED:
        what = _("the ticket")
    if note:
        return _sentence(
            _("%(who)s referred %(what)s to %(target)s: “%(note)s”"),
            who=who,
            what=what,
            target=target,
            note=note,
        )
    return _sentence(
        _("%(who)s referred %(what)s to %(target)s"), who=who, what=what, target=target
    )


def _team_name(p: dict[str, Any]) -> str:
    from helpdesk.models import Team

    team = Team.objects.filter(pk=p.get("team_id") or 0).first()
    return team.name if team else _("the team")


def _survey_sentence(p: dict[str, Any]) -> SafeString:
    """A survey answer as a timeline sentence (helpdesk.surveys)."""
    kind = "NPS" if p.get("kind") == "nps" else "CSAT"
    values = {
        "score": localize_digits(p.get("score")),
        "max": localize_digits(10 if kind == "NPS" else 5),
        "kind": kind,
    }
    if p.get("comment"):
        template = _("The customer rated %(score)s of %(max)s (%(kind)s): “%(comment)s”")
        return _sentence(template, **values, comment=p["comment"])
    return _sentence(_("The customer rated %(score)s of %(max)s (%(kind)s)"), **values)


def build(ticket: Ticket) -> list[Entry]:
    """Messages and shown events in time order (three queries whatever the length)."""
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("inbox", "author_contact", "author_agent__agent")
        .prefetch_related("attachments")
    )
    events = list(
        TicketEvent.objects.filter(ticket=ticket, type__in=[t.value for t in SHOWN_EVENTS])
    )
    names = _names(events)
    entries = [Entry(at=m.created_at, message=m, refused=refused_attachments(m)) for m in messages]
    entries += [Entry(at=e.created_at, event=e, text=describe(e, names)) for e in events]
    entries.sort(key=lambda entry: entry.at)
    return entries
