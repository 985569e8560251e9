"""Forms of the portal (vote) and the editor."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from knowledge_base.models import Article, Category


class VoteForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])
    comment = forms.CharField(
        label=_("Anything we could improve? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "dir": "auto"}),
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
        for name, field in self.fields.items():
            _bootstrap(field.widget, invalid=self.is_bound and name in self.errors)
        for name in ("title", "summary", "translation_key"):
            self.fields[name].widget.attrs.setdefault("dir", "auto")
        self.fields["slug"].widget.attrs["dir"] = "ltr"
        # The model's field has no verbose name (a migration for a label is not worth it);
        # categories are named in the editor's own language.
        category = self.fields["category"]
        category.label = _("category")
        category.label_from_instance = _category_name  # type: ignore[attr-defined]


def _category_name(category: Category) -> str:
    language = "fa" if (get_language() or "").startswith("fa") else "en"
    return category.name(language)


def _bootstrap(widget: forms.Widget, *, invalid: bool) -> None:
    """Bootstrap's class for the widget's kind (the editor's design system)."""
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):  # SelectMultiple too
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs["class"] = css + (" is-invalid" if invalid else "")
