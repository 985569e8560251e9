"""One ticket: page, live fragments (timeline, properties), replies and ticket actions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from agents import timeline
from agents.forms import (
    PriorityForm,
    ReplyForm,
    SnoozeForm,
    StatusForm,
    TagsForm,
    TeamForm,
)
from agents.models import CannedResponse
from agents.views.common import agent_required, done, failed
from agents.views.contact import contact_context
from agents.views.inbox import page_context
from helpdesk.actions import messages as message_actions
from helpdesk.actions import tickets as ticket_actions
from helpdesk.actions.common import check_ticket_readable
from helpdesk.actions.errors import ActionError, Invalid
from helpdesk.attachment_files import file_response
from helpdesk.automation.placeholders import render as fill_placeholders
from helpdesk.crm.attributes import definitions
from helpdesk.models import Agent, Attachment, AttributeEntity, Direction, Message, Team, Ticket
from helpdesk.staff.access import can_manage_ticket, can_read_ticket


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    try:
        return check_ticket_readable(request.user, ticket_id)
    except ActionError as exc:
        failed(request, exc)  # raises Http404
        raise


def canned_for(user: Any, team_id: int | None) -> list[CannedResponse]:
    """The agent's own canned responses and those shared with the ticket's team or everyone."""
    shared = Q(owner__isnull=True) & (Q(team__isnull=True) | Q(team_id=team_id))
    return list(CannedResponse.objects.filter(Q(owner=user) | shared).order_by("shortcut"))


def meta_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    assignable = Agent.objects.select_related("user").filter(teams=ticket.team_id)
    can_manage = can_manage_ticket(request.user, ticket)
    return {
        "ticket": ticket,
        "assignable": list(assignable.order_by("display_name")),
        "can_manage": can_manage,
        "status_form": StatusForm(initial={"status": ticket.status}),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "tags_value": ", ".join(ticket.tags),
        "teams": list(Team.objects.order_by("name")) if can_manage else [],
        "snooze_form": SnoozeForm(),
        # Typed ticket attributes (helpdesk.crm.attributes), edited in the sidebar.
        "ticket_attributes": [
            (d, (ticket.custom_attributes or {}).get(d.key))
            for d in definitions(AttributeEntity.TICKET)
        ],
    }


@require_GET
@agent_required
def detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The inbox with one ticket open: timeline, reply box, properties, contact."""
    ticket = _ticket(request, ticket_id)
    context = page_context(request)
    context.update(meta_context(request, ticket))
    context.update(contact_context(request, ticket.contact))
    context.update(
        entries=timeline.build(ticket),
        reply_form=ReplyForm(),
        canned=[
            # Placeholders ({{contact.name}}, {{ticket.number}}, ...) filled for this ticket.
            {
                "shortcut": c.shortcut,
                "title": c.title,
                "body": fill_placeholders(c.body, ticket, request.user),
            }
            for c in canned_for(request.user, ticket.team_id)
        ],
        suggestions=_suggestions(ticket),
        public_base_url=settings.PUBLIC_BASE_URL.rstrip("/"),
    )
    return render(request, "agents/inbox.html", context)


def _suggestions(ticket: Ticket) -> list[Any]:
    """Public articles matching the customer's last message, to link in the reply."""
    from helpdesk.suggestions import suggest_articles

    last = (
        Message.objects.filter(ticket=ticket, direction=Direction.INBOUND)
        .order_by("-id")
        .values_list("text", flat=True)
        .first()
    )
    return suggest_articles(last or ticket.subject, ticket.contact.language, 3)


@require_GET
@agent_required
def timeline_fragment(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    ctx = {"ticket": ticket, "entries": timeline.build(ticket)}
    return render(request, "agents/_timeline.html", ctx)


@require_GET
@agent_required
def meta_fragment(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    return render(request, "agents/_meta.html", meta_context(request, ticket))


def _files(request: HttpRequest) -> tuple[message_actions.OutgoingFile, ...]:
    return tuple(
        message_actions.OutgoingFile(
            name=f.name or "attachment",
            content_type=f.content_type or "application/octet-stream",
            data=f.read(),
        )
        for f in request.FILES.getlist("attachments")
    )


@require_POST
@agent_required
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Reply on the ticket's channel, or add a note; "resolve" sends and resolves."""
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(str(form.errors)))
    fallback = reverse("ticket", args=[ticket_id])
    try:
        if form.cleaned_data["mode"] == "note":
            message_actions.do_add_note(
                request.user, ticket_id, form.cleaned_data["text"], files=_files(request)
            )
        else:
            message_actions.do_reply(
                request.user,
                ticket_id,
                form.cleaned_data["text"],
                files=_files(request),
                resolve="resolve" in request.POST,
            )
    except ActionError as exc:
        return failed(request, exc)
    return done(request, fallback)


@require_POST
@agent_required
def retry(request: HttpRequest, message_id: int) -> HttpResponse:
    """Queue a failed outbound message again."""
    try:
        message = message_actions.do_retry_delivery(request.user, message_id)
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("ticket", args=[message.ticket_id]))


@require_POST
@agent_required
def assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Assign (to an agent id, "me") or unassign (empty)."""
    raw = request.POST.get("assignee", "")
    assignee = request.user.pk if raw == "me" else (int(raw) if raw.isdigit() else None)
    try:
        ticket_actions.do_assign(request.user, ticket_id, assignee)
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("ticket", args=[ticket_id]))


def _apply(request: HttpRequest, ticket_id: int, form: Any, action: Any) -> HttpResponse:
    if not form.is_valid():
        return failed(request, Invalid(str(form.errors)))
    try:
        action(form.cleaned_data)
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("ticket", args=[ticket_id]))


@require_POST
@agent_required
def set_status(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _apply(
        request,
        ticket_id,
        StatusForm(request.POST),
        lambda d: ticket_actions.do_set_status(request.user, ticket_id, d["status"]),
    )


@require_POST
@agent_required
def set_priority(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _apply(
        request,
        ticket_id,
        PriorityForm(request.POST),
        lambda d: ticket_actions.do_set_priority(request.user, ticket_id, d["priority"]),
    )


@require_POST
@agent_required
def set_tags(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _apply(
        request,
        ticket_id,
        TagsForm(request.POST),
        lambda d: ticket_actions.do_set_tags(request.user, ticket_id, d["tags"]),
    )


@require_POST
@agent_required
def set_team(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Move the ticket to another team (supervisors and admins)."""
    return _apply(
        request,
        ticket_id,
        TeamForm(request.POST),
        lambda d: ticket_actions.do_set_team(request.user, ticket_id, d["team"]),
    )


@require_POST
@agent_required
def snooze(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Snooze until a time in the agent's own zone (the form's naive value)."""

    def act(d: dict[str, Any]) -> None:
        until = d["until"]
        if timezone.is_naive(until):
            until = timezone.make_aware(until)
        ticket_actions.do_snooze(request.user, ticket_id, until)

    return _apply(request, ticket_id, SnoozeForm(request.POST), act)


@agent_required
@require_GET
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """A message's file, for agents who may read its ticket (404 for everyone else)."""
    found = Attachment.objects.select_related("message__ticket").filter(pk=attachment_id).first()
    if found is None or not can_read_ticket(request.user, found.message.ticket):
        raise Http404("attachment not found")
    return file_response(found)
