from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from channels_in.phone.models import CallDirection, CallOutcome
from channels_in.phone.queries import visible_lines


class ManualCallForm(forms.Form):
    line_id = forms.TypedChoiceField(label=_("Line"), coerce=int)
    number = forms.CharField(label=_("Number"), max_length=64)
    direction = forms.ChoiceField(label=_("Direction"), choices=CallDirection.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcome.choices)
    talk_seconds = forms.IntegerField(
        label=_("Talk time (seconds)"), min_value=0, max_value=86_400, initial=0, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea, required=False, max_length=10_000
    )
    ticket_id = forms.IntegerField(
        label=_("Ticket #"), required=False, min_value=1, max_value=2**63 - 1
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lines = visible_lines(user)
        self.fields["line_id"].choices = [(line.pk, line.inbox.name) for line in lines]  # type: ignore[attr-defined]
        self.fields["number"].widget.attrs.update({"dir": "ltr", "inputmode": "tel"})
        self.fields["notes"].widget.attrs.update({"dir": "auto", "rows": "4"})
        # Bootstrap's look (the desk's design system), and errors tied to their field.
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
                field.widget.attrs["aria-describedby"] = f"id_{name}_error"
            field.widget.attrs["class"] = css

    def clean_talk_seconds(self) -> int:
        return int(self.cleaned_data.get("talk_seconds") or 0)
