"""Forms of the inbox (validation only; the mutations are actions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.channels import identity_choices as channel_identity_choices
from helpdesk.models import Company, Priority, TicketStatus


class ReplyForm(forms.Form):
    MODES = [("reply", _("Reply")), ("note", _("Internal note"))]
    mode = forms.ChoiceField(label=_("Mode"), choices=MODES, initial="reply")
    text = forms.CharField(label=_("Message"), widget=forms.Textarea, required=False)


class SnoozeForm(forms.Form):
    until = forms.DateTimeField(
        label=_("Snooze until"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)


class TeamForm(forms.Form):
    team = forms.IntegerField(label=_("Team"), min_value=1)


class TagsForm(forms.Form):
    tags = forms.CharField(label=_("Tags"), required=False, max_length=2000)

    def clean_tags(self) -> list[str]:
        raw: str = self.cleaned_data["tags"]
        return [t for t in raw.replace("،", ",").split(",") if t.strip()]


def identity_choices() -> list[tuple[str, str]]:
    """Evaluated per form: the installed channels' identity kinds."""
    return [("", "—"), *((k, str(label)) for k, label in channel_identity_choices())]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    language = forms.CharField(label=_("Language"), max_length=10, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"),
        choices=identity_choices,
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)
    tags = forms.CharField(label=_("Tags, comma separated"), max_length=500, required=False)
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.order_by("name"), required=False
    )

    def clean_tags(self) -> list[str]:
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class MergeForm(forms.Form):
    other = forms.IntegerField(label=_("Contact number to merge into this one"), min_value=1)


class BulkForm(forms.Form):
    OPS = [
        ("claim", _("Assign to me")),
        ("unassign", _("Unassign")),
        ("status", _("Set status")),
        ("priority", _("Set priority")),
        ("tag", _("Add tag")),
        ("macro", _("Apply macro")),
    ]
    op = forms.ChoiceField(label=_("Action"), choices=OPS)
    macro = forms.IntegerField(min_value=1, required=False)
    status = forms.ChoiceField(choices=TicketStatus.choices, required=False)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, required=False)
    tag = forms.CharField(max_length=50, required=False)

    def ticket_ids(self) -> list[int]:
        """The selected ticket ids (at most 200; others are ignored)."""
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        return [int(i) for i in raw if str(i).isdigit()][:200]
