"""The contact form's fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("How can we help?"), max_length=10000, widget=forms.Textarea)
    # A field people never see: bots that fill every input give themselves away.
    website = forms.CharField(required=False, label=_("Leave this empty"))
