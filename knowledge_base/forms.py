"""Forms of the portal (vote) and the editor."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from knowledge_base.models import Article


class VoteForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])
    comment = forms.CharField(
        label=_("Anything we could improve? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ArticleForm(forms.ModelForm[Article]):
    attachment = forms.FileField(
        label=_("Add an image or file"),
        required=False,
        help_text=_("Then link it from the body: ![description](its URL)."),
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "locale",
            "slug",
            "category",
            "summary",
            "body",
            "status",
            "visibility",
            "translation_key",
            "related",
            "position",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 20, "dir": "auto"})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["slug"].required = False
