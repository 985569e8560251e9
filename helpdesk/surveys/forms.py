"""The public page's form: a score and, when the survey offers it, a comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.digits import ascii_digits
from helpdesk.surveys.actions import MAX_COMMENT


class AnswerForm(forms.Form):
    score = forms.IntegerField(label=_("Your rating"))
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(self, *args: Any, low: int, high: int, **kwargs: Any) -> None:
        data = kwargs.get("data") or (args[0] if args else None)
        if data is not None and "score" in data:
            # Persian and Arabic-Indic digits typed or posted are fine.
            data = data.copy()
            data["score"] = ascii_digits(str(data["score"]))
            if "data" in kwargs:
                kwargs["data"] = data
            else:
                args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        self.low, self.high = low, high

    def clean_score(self) -> int:
        value: int = self.cleaned_data["score"]
        if not self.low <= value <= self.high:
            raise forms.ValidationError(_("Choose a rating from the scale."))
        return value
