"""The agent's own settings (language, theme, presence, API tokens); bulk actions on a list."""

from __future__ import annotations

import json
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agents.forms import BulkForm
from agents.views.common import agent_required, back, done, failed
from helpdesk.actions import tickets as ticket_actions
from helpdesk.actions.common import check_ticket_readable
from helpdesk.actions.errors import ActionError, Invalid
from helpdesk.macros.apply import apply_macro
from helpdesk.models import TokenScope
from helpdesk.staff import presence, tokens


@require_POST
@agent_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the agent's UI language (stored on the agent, used on every page)."""
    try:
        agent = presence.do_set_language(request.user, request.POST.get("language", ""))
    except ActionError as exc:
        return failed(request, exc)
    translation.activate(agent.language)
    return back(request, reverse("home"))


@require_POST
@agent_required
def set_theme(request: HttpRequest) -> HttpResponse:
    """Choose light, dark or automatic (the system's) colours, kept on the agent."""
    try:
        presence.do_set_theme(request.user, request.POST.get("theme", ""))
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("home"), trigger="desk:theme-changed")


@require_POST
@agent_required
def set_presence(request: HttpRequest) -> HttpResponse:
    """Set online / away / offline (the socket does the same without a request)."""
    try:
        presence.do_set_presence(request.user, request.POST.get("presence", ""))
    except ActionError as exc:
        return failed(request, exc)
    return done(request, reverse("home"), trigger="desk:presence-changed")


def _bulk_one(request: HttpRequest, form: BulkForm, ticket_id: int) -> None:
    op, data, user = form.cleaned_data["op"], form.cleaned_data, request.user
    if op == "claim":
        ticket_actions.do_claim(user, ticket_id)
    elif op == "unassign":
        ticket_actions.do_unassign(user, ticket_id)
    elif op == "status" and data["status"]:
        ticket_actions.do_set_status(user, ticket_id, data["status"])
    elif op == "priority" and data["priority"]:
        ticket_actions.do_set_priority(user, ticket_id, data["priority"])
    elif op == "tag" and data["tag"]:
        ticket = check_ticket_readable(user, ticket_id)
        tags = [*ticket.tags, data["tag"]]
        ticket_actions.do_set_tags(user, ticket_id, tags, expected_version=ticket.version)
    elif op == "macro" and data["macro"]:
        apply_macro(user, data["macro"], ticket_id)  # one transaction per ticket


@require_POST
@agent_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to each selected ticket; each goes through its own action.

    The answer says how many changed and how many were skipped (refused: no
    access, a stale version, a status the ticket cannot take).
    """
    form = BulkForm(request.POST)
    if not form.is_valid():
        return failed(request, Invalid(str(form.errors)))
    updated = skipped = 0
    for ticket_id in form.ticket_ids():
        try:
            _bulk_one(request, form, ticket_id)
        except ActionError:
            skipped += 1
        else:
            updated += 1
    text = bulk_summary(updated, skipped)
    if getattr(request, "htmx", False):
        trigger = {"desk:list-changed": None, "desk:toast": {"message": text}}
        return HttpResponse(status=204, headers={"HX-Trigger": json.dumps(trigger)})
    messages.info(request, text)
    return done(request, reverse("home"), trigger="desk:list-changed")


def bulk_summary(updated: int, skipped: int) -> str:
    """ "3 updated, 1 skipped" in the agent's language and digits."""
    from agents.templatetags.desk import localize_digits

    text = _("%(updated)s updated, %(skipped)s skipped") % {"updated": updated, "skipped": skipped}
    return localize_digits(text)


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Label"), max_length=100, required=False)
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"), choices=TokenScope.choices, initial=TokenScope.TICKETS
    )
    expires_in_days = forms.TypedChoiceField(
        label=gettext_lazy("Expires"),
        coerce=int,
        initial=90,
        choices=[
            (30, gettext_lazy("in 30 days")),
            (90, gettext_lazy("in 90 days")),
            (365, gettext_lazy("in a year")),
            (0, gettext_lazy("never")),
        ],
    )


@agent_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the agent's API tokens (prefix only) and issue one; the raw token shows once."""
    form = TokenForm(request.POST or None)
    raw = ""
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            _token, raw = tokens.do_issue_token(
                request.user,
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            form = TokenForm()
    context = {"form": form, "raw": raw, "tokens": tokens.tokens_of(request.user)}
    response = render(request, "agents/api_tokens.html", context, status=201 if raw else 200)
    response["Cache-Control"] = "no-store"  # the page may hold a raw token
    return response


@require_POST
@agent_required
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the agent's own tokens; it stops working at once."""
    try:
        tokens.do_revoke_token(request.user, token_id)
    except ActionError as exc:
        return failed(request, exc)
    messages.success(request, _("The token was revoked."))
    return redirect("api_tokens")
