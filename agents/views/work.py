"""Work on a ticket beyond replying: refer, a macro, merge, split,
and starting an outbound conversation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agents.views.common import agent_required, done, failed
from agents.work_forms import (
    ConversationForm,
    MacroForm,
    MergeForm,
    ReferForm,
    SplitForm,
)
from helpdesk.actions import outbound
from helpdesk.actions import tickets as ticket_actions
from helpdesk.actions.contacts import check_contact_readable
from helpdesk.actions.errors import ActionError, Invalid
from helpdesk.actions.split import do_split_ticket
from helpdesk.followups.referrals import do_refer_ticket
from helpdesk.macros.apply import apply_macro
from helpdesk.models import Contact


def _ticket_url(ticket_id: int) -> str:
    return reverse("ticket", args=[ticket_id])


@require_POST
@agent_required
def ticket_refer(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Hand the ticket to a colleague or a team with a note (on its timeline)."""
    form = ReferForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(form.errors.as_text()))
    try:
        do_refer_ticket(request.user, ticket_id, note=form.cleaned_data["note"], **form.target())
    except ActionError as exc:
        return failed(request, exc)
    return done(request, _ticket_url(ticket_id))


@require_POST
@agent_required
def ticket_macro(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Apply a macro to this ticket: every step or none."""
    form = MacroForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(form.errors.as_text()))
    try:
        apply_macro(request.user, form.cleaned_data["macro"], ticket_id)
    except ActionError as exc:
        return failed(request, exc)
    return done(request, _ticket_url(ticket_id))


@require_POST
@agent_required
def ticket_merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Merge this ticket into another one (supervisors); the page moves to the target."""
    form = MergeForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(form.errors.as_text()))
    try:
        target = ticket_actions.do_merge_tickets(
            request.user, ticket_id, form.cleaned_data["target"]
        )
    except ActionError as exc:
        return failed(request, exc)
    return _go(request, _ticket_url(target.pk))


@require_POST
@agent_required
def ticket_split(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Move the chosen messages to a new ticket (supervisors); the page opens it."""
    form = SplitForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(form.errors.as_text()))
    try:
        ids = [int(i) for i in request.POST.getlist("message") if i.isdigit()]
        new = do_split_ticket(request.user, ticket_id, ids, subject=form.cleaned_data["subject"])
    except ActionError as exc:
        return failed(request, exc)
    return _go(request, _ticket_url(new.pk))


def _go(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def _conversation_context(
    request: HttpRequest, form: ConversationForm, contact: Contact | None
) -> dict[str, Any]:
    return {
        "form": form,
        "contact": contact,
        "inboxes": outbound.outbound_inboxes(request.user, contact),
    }


@require_http_methods(["GET", "POST"])
@agent_required
def conversation_new(request: HttpRequest) -> HttpResponse:
    """Start a new conversation with a contact (from the contact page or the inbox)."""
    contact = None
    raw = request.POST.get("contact") or request.GET.get("contact")
    try:
        if raw and raw.isdigit():
            contact = check_contact_readable(request.user, int(raw))
    except ActionError as exc:
        return failed(request, exc)
    if request.method == "GET":
        form = ConversationForm(initial={"contact": contact.pk if contact else None})
        return render(
            request, "agents/conversation_new.html", _conversation_context(request, form, contact)
        )
    form = ConversationForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "agents/conversation_new.html",
            _conversation_context(request, form, contact),
            status=422,
        )
    d = form.cleaned_data
    new_contact = None
    if contact is None:
        addresses = {k: d[k] for k in ("email", "phone") if d[k]}
        new_contact = outbound.NewContact(name=d["name"], identities=addresses)
    try:
        ticket = outbound.do_start_conversation(
            request.user,
            text=d["text"],
            subject=d["subject"],
            inbox_id=d["inbox"],
            contact_id=contact.pk if contact else None,
            contact=new_contact,
        )
    except ActionError as exc:
        form.add_error(None, exc.message)
        context = _conversation_context(request, form, contact)
        return render(request, "agents/conversation_new.html", context, status=exc.status)
    flash.success(request, _("Conversation started; the message is on its way."))
    return HttpResponseRedirect(_ticket_url(ticket.pk))
