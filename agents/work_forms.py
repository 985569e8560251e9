"""Forms of the work-on-tickets screens: tasks, referrals, macros, merge/split, outbound."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class AwareDateTimeField(forms.DateTimeField):
    """A time typed in the agent's own zone (the middleware activates it), made aware."""

    def to_python(self, value: Any) -> Any:
        found = super().to_python(value)
        if found is not None and timezone.is_naive(found):
            found = timezone.make_aware(found)
        return found


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_at = AwareDateTimeField(
        label=_("Due"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    assignee = forms.IntegerField(label=_("Assignee"), required=False, min_value=1)
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1)
    ticket = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    contact = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class QuickTaskForm(forms.Form):
    """One click from a ticket, a contact or a call (a ticket's call message)."""

    ticket = forms.IntegerField(required=False, min_value=1)
    contact = forms.IntegerField(required=False, min_value=1)
    message = forms.IntegerField(required=False, min_value=1)


class ReferForm(forms.Form):
    """A colleague (to_user), a team (to_team), or a colleague in another team."""

    to_user = forms.IntegerField(label=_("Colleague"), required=False, min_value=1)
    to_team = forms.IntegerField(label=_("Team"), required=False, min_value=1)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def target(self) -> dict[str, int | None]:
        return {
            "to_user_id": self.cleaned_data["to_user"],
            "to_team_id": self.cleaned_data["to_team"],
        }


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, s) for s in ("open", "in_progress", "done", "cancelled")]
    )


class MacroForm(forms.Form):
    macro = forms.IntegerField(min_value=1)


class MergeForm(forms.Form):
    target = forms.IntegerField(label=_("Merge into ticket number"), min_value=1)


class SplitForm(forms.Form):
    """The messages to move come as repeated `message` fields (checkboxes)."""

    subject = forms.CharField(label=_("Subject of the new ticket"), required=False, max_length=300)


class ConversationForm(forms.Form):
    contact = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    email = forms.CharField(label=_("Email"), required=False, max_length=320)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=64)
    inbox = forms.IntegerField(label=_("Send from"), min_value=1)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=300)
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
