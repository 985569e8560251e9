"""The tasks page: my / team / overdue / done lists with live counts, and task actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agents.views.common import agent_required, done, failed
from agents.work_forms import QuickTaskForm, ReferForm, TaskForm, TaskStatusForm
from helpdesk.actions.common import check_ticket_readable
from helpdesk.actions.contacts import check_contact_readable
from helpdesk.actions.errors import ActionError, Invalid
from helpdesk.followups import actions, referrals
from helpdesk.followups.access import TaskList, counts, task_list
from helpdesk.followups.models import Task
from helpdesk.models import Agent, Message, Team
from helpdesk.staff.access import is_admin, team_ids

PER_PAGE = 100
CHANGED = "desk:task-changed"
TICKET_AND_CONTACT = "desk:ticket-changed, desk:contact-changed"


def colleagues(user: Any) -> list[Agent]:
    """Agents of the user's teams (every agent for an admin), for assignee and referral."""
    agents = Agent.objects.select_related("user").filter(user__is_active=True)
    if not is_admin(user):
        agents = agents.filter(teams__in=list(team_ids(user))).distinct()
    return list(agents.order_by("display_name"))


def _teams(user: Any) -> list[Team]:
    return list(Team.objects.order_by("name"))


def _rows(request: HttpRequest, name: str) -> list[Task]:
    tasks = task_list(request.user, name).select_related(
        "assignee__agent", "team", "ticket", "contact"
    )
    return list(tasks[:PER_PAGE])


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """?ticket=N / ?contact=N link the new task (checked again when it is created)."""
    return {k: request.GET[k] for k in ("ticket", "contact") if request.GET.get(k, "").isdigit()}


def tasks_context(request: HttpRequest) -> dict[str, Any]:
    name = request.GET.get("list", TaskList.MINE)
    if name not in TaskList.ALL:
        name = TaskList.MINE
    labels = {
        TaskList.MINE: _("My tasks"),
        TaskList.TEAM: _("Team tasks"),
        TaskList.OVERDUE: _("Overdue"),
        TaskList.DONE: _("Done"),
    }
    return {
        "current": name,
        "lists": [(key, labels[key]) for key in TaskList.ALL],
        "counts": counts(request.user),
        "tasks": _rows(request, name),
        "form": TaskForm(initial=_prefill(request)),
        "colleagues": colleagues(request.user),
        "my_teams": [
            t
            for t in _teams(request.user)
            if is_admin(request.user) or t.pk in team_ids(request.user)
        ],
        "all_teams": _teams(request.user),
        "now": timezone.now(),
    }


@require_GET
@agent_required
def task_page(request: HttpRequest) -> HttpResponse:
    """The agent's tasks; htmx asks for the list part alone when something changed."""
    template = "agents/_tasks.html" if getattr(request, "htmx", False) else "agents/tasks.html"
    return render(request, template, tasks_context(request))


@require_POST
@agent_required
def task_create(request: HttpRequest) -> HttpResponse:
    form = TaskForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(form.errors.as_text()))
    d = form.cleaned_data
    try:
        actions.do_create_task(
            request.user,
            title=d["title"],
            notes=d["notes"],
            due_at=d["due_at"],
            assignee_id=d["assignee"],
            team_id=d["team"],
            ticket_id=d["ticket"],
            contact_id=d["contact"],
        )
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("tasks"), trigger=CHANGED)


def _quick_fields(request: HttpRequest, d: dict[str, Any]) -> dict[str, Any]:
    """What a one-click task knows from where it was made."""
    if d["message"]:
        message = Message.objects.filter(pk=d["message"]).first()
        if message is None:
            raise Invalid("no such call", field="message")
        ticket = check_ticket_readable(request.user, message.ticket_id)
        call = message.channel_meta.get("call") if isinstance(message.channel_meta, dict) else None
        call = call if isinstance(call, dict) else {}
        number = str(call.get("number") or "")
        return {
            "title": _("Call back %(who)s") % {"who": ticket.contact.name or number or ticket.pk},
            "ticket_id": ticket.pk,
            "call_id": call.get("call_id") if isinstance(call.get("call_id"), int) else None,
            "call_number": number,
        }
    if d["ticket"]:
        ticket = check_ticket_readable(request.user, d["ticket"])
        title = _("Follow up #%(n)s %(subject)s") % {"n": ticket.pk, "subject": ticket.subject}
        return {"title": title[:200], "ticket_id": ticket.pk}
    if d["contact"]:
        contact = check_contact_readable(request.user, d["contact"])
        name = contact.name or _("contact %(n)s") % {"n": contact.pk}
        return {"title": _("Follow up with %(name)s") % {"name": name}, "contact_id": contact.pk}
    raise Invalid("a ticket, a contact or a call", field="ticket")


@require_POST
@agent_required
def task_quick(request: HttpRequest) -> HttpResponse:
    """One click: a follow-up for tomorrow at this time, mine, linked to where I was."""
    form = QuickTaskForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(form.errors.as_text()))
    try:
        fields = _quick_fields(request, form.cleaned_data)
        actions.do_create_task(
            request.user,
            assignee_id=request.user.pk,
            due_at=timezone.now() + timedelta(days=1),
            **fields,
        )
    except ActionError as exc:
        return failed(request, exc)
    # The ticket sidebar and the contact card list their open tasks: refresh them too.
    return done(request, reverse("tasks"), trigger=f"{CHANGED}, {TICKET_AND_CONTACT}")


@require_POST
@agent_required
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    form = TaskStatusForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(form.errors.as_text()))
    try:
        actions.do_set_task_status(request.user, task_id, form.cleaned_data["status"])
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("tasks"), trigger=CHANGED)


@require_POST
@agent_required
def task_refer(request: HttpRequest, task_id: int) -> HttpResponse:
    """Hand the task to a colleague or a team with a note."""
    form = ReferForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(form.errors.as_text()))
    try:
        referrals.do_refer_task(
            request.user, task_id, note=form.cleaned_data["note"], **form.target()
        )
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("tasks"), trigger=CHANGED)
