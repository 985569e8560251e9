"""The contact form's fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("How can we help?"), max_length=10000, widget=forms.Textarea)
    # A field people never see: bots that fill every input give themselves away.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Bootstrap's look (the portal's design system); names and text in either script.
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            attrs["class"] = "form-control"
            if name in {"name", "subject", "message"}:
                attrs["dir"] = "auto"
            if name == "email":
                attrs["dir"] = "ltr"
            if name == "website":
                attrs.update({"tabindex": "-1", "autocomplete": "off"})
            if self.is_bound and name in self.errors:
                attrs["class"] += " is-invalid"
                attrs["aria-describedby"] = f"id_{name}_error"
