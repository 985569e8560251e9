"""Macros page: the macros an agent may apply, and their own personal ones to add or remove.

Shared macros (for every agent or one team) are configured by supervisors in the
admin; an agent's personal macros are theirs alone (helpdesk.macros).
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from agents.views.common import agent_required
from helpdesk.macros.apply import visible_macros
from helpdesk.macros.models import AssignTo, Macro


class PersonalMacroForm(forms.ModelForm[Macro]):
    class Meta:
        model = Macro
        fields = [
            "name",
            "reply_template",
            "note_template",
            "add_tags",
            "remove_tags",
            "status",
            "priority",
            "assign",
        ]
        widgets = {
            "reply_template": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "note_template": forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        }

    def clean_assign(self) -> str:
        # A personal macro assigns to its user or nobody; naming colleagues is the
        # shared macros' (a supervisor's) business.
        value = str(self.cleaned_data.get("assign") or "")
        if value == AssignTo.AGENT:
            raise forms.ValidationError(_("A personal macro cannot assign a named agent."))
        return value


@require_http_methods(["GET", "POST"])
@agent_required
def macro_page(request: HttpRequest) -> HttpResponse:
    """List the macros the agent may apply; add a personal one."""
    form = PersonalMacroForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        macro = form.save(commit=False)
        macro.owner = request.user  # type: ignore[assignment]
        macro.save()
        return HttpResponseRedirect(reverse("macros"))
    macros = visible_macros(request.user).select_related("shared_with_team").order_by("name")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "macros": list(macros)}
    return render(request, "agents/macros.html", context, status=status)


@require_POST
@agent_required
def macro_delete(request: HttpRequest, macro_id: int) -> HttpResponse:
    """Remove one of the agent's own macros (shared ones are the admin's)."""
    Macro.objects.filter(pk=macro_id, owner_id=request.user.pk).delete()
    return HttpResponseRedirect(reverse("macros"))
