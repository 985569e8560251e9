"""Admin forms for rules, business hours and per-inbox automatic answers: no JSON shown."""

from __future__ import annotations

import zoneinfo
from datetime import date
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.automation import conditions, options, rule_actions, weekly
from helpdesk.automation.widgets import (
    ActionsWidget,
    ConditionsWidget,
    HolidaysWidget,
    WeekGridWidget,
)
from helpdesk.models import BusinessHours, InboxAutomation, Rule


class RuleForm(forms.ModelForm):  # type: ignore[type-arg]
    """Conditions and actions are edited as rows; the engine's schema validates them."""

    class Meta:
        model = Rule
        fields = [
            "name",
            "enabled",
            "position",
            "trigger",
            "hours",
            "match",
            "conditions",
            "actions",
            "stop_processing",
        ]
        widgets = {
            "match": forms.RadioSelect,
            "conditions": ConditionsWidget,
            "actions": ActionsWidget,
        }
        help_texts = {
            "conditions": gettext_lazy("With no condition, the rule runs on every ticket.")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lists = options.option_lists()
        self._allowed = options.allowed_values(lists)
        config = options.editor_schema(lists)
        for name in ("conditions", "actions"):
            self.fields[name].widget.config = config
        # An empty list gets the engine's own message, not "This field is required".
        self.fields["actions"].required = False

    def _mark_row(self, field: str, index: int | None) -> None:
        # The editor script outlines this row and marks its controls invalid.
        if index is not None:
            self.fields[field].widget.attrs["data-hd-error-row"] = str(index)

    def clean_conditions(self) -> Any:
        value = self.cleaned_data["conditions"] or []
        try:
            conditions.validate(value, self._allowed)
        except conditions.InvalidCondition as exc:
            self._mark_row("conditions", exc.index)
            raise forms.ValidationError(
                _("Condition %(row)s: %(problem)s"),
                params={"row": (exc.index or 0) + 1, "problem": exc.message},
            ) from exc
        return value

    def clean_actions(self) -> Any:
        value = self.cleaned_data["actions"] or []
        try:
            rule_actions.validate(value, self._allowed)
        except rule_actions.InvalidAction as exc:
            self._mark_row("actions", exc.index)
            if exc.index is None:
                raise forms.ValidationError(exc.message) from exc
            raise forms.ValidationError(
                _("Action %(row)s: %(problem)s"),
                params={"row": exc.index + 1, "problem": exc.message},
            ) from exc
        return value


@cache
def _zones() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones())]


class BusinessHoursForm(forms.ModelForm):  # type: ignore[type-arg]
    """A week grid, a time zone list and a holiday calendar instead of JSON."""

    time_zone = forms.ChoiceField(
        label=gettext_lazy("time zone"), choices=_zones, initial="Asia/Tehran"
    )

    class Meta:
        model = BusinessHours
        fields = ["name", "time_zone", "weekly", "holidays"]
        widgets = {"weekly": WeekGridWidget, "holidays": HolidaysWidget}
        labels = {"holidays": gettext_lazy("Holidays")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weekly"].widget.config = {
            "days": [[d, str(label)] for d, label in weekly.day_labels()],
            "labels": {
                "open": _("Open"),
                "from": _("From"),
                "to": _("To"),
                "add_interval": _("Add interval"),
                "remove": _("Remove"),
                "next_day": _("(the next day)"),
            },
        }
        self.fields["holidays"].widget.config = {
            "labels": {
                "pick": _("Holiday date"),
                "add": _("Add holiday"),
                "remove": _("Remove"),
                "none": _("No holidays yet."),
                "invalid": _("Pick a date first."),
            }
        }
        self.fields["holidays"].required = False

    def clean_weekly(self) -> Any:
        try:
            return weekly.validate(self.cleaned_data["weekly"])
        except weekly.InvalidHours as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_holidays(self) -> Any:
        value = self.cleaned_data["holidays"] or []
        if not isinstance(value, list):
            raise forms.ValidationError(_("Holidays must be a list of dates."))
        days = set()
        for item in value:
            try:
                days.add(date.fromisoformat(str(item)).isoformat())
            except ValueError as exc:
                raise forms.ValidationError(
                    _("%(value)s is not a date."), params={"value": item}
                ) from exc
        return sorted(days)


def _language_field(label: Any, language: str) -> forms.CharField:
    return forms.CharField(
        label=f"{label} ({language})",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=gettext_lazy("Placeholders: {{contact.name}}, {{ticket.number}}"),
    )


class InboxAutomationForm(forms.ModelForm):  # type: ignore[type-arg]
    """Each template per language is its own labelled text box; stored as {lang: text}."""

    TEMPLATES = (
        ("acknowledgement", gettext_lazy("Acknowledgement")),
        ("out_of_office", gettext_lazy("Out-of-office reply")),
    )

    class Meta:
        model = InboxAutomation
        fields = [
            "inbox",
            "business_hours",
            "acknowledge",
            "suggest_articles",
            "suggestion_threshold",
            "max_automatic_per_hour",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, label in self.TEMPLATES:
            stored = getattr(self.instance, field) or {}
            for code, name in settings.LANGUAGES:
                key = f"{field}_{code}"
                self.fields[key] = _language_field(label, str(name))
                self.initial.setdefault(key, stored.get(code, ""))

    @classmethod
    def template_fields(cls, only: str = "") -> list[str]:
        """The per-language field names, of every template or of `only`."""
        return [
            f"{field}_{code}"
            for field, _l in cls.TEMPLATES
            if field == only or not only
            for code, _n in settings.LANGUAGES
        ]

    def save(self, commit: bool = True) -> InboxAutomation:
        for field, _label in self.TEMPLATES:
            texts = {
                code: self.cleaned_data[f"{field}_{code}"].strip()
                for code, _name in settings.LANGUAGES
                if self.cleaned_data.get(f"{field}_{code}", "").strip()
            }
            setattr(self.instance, field, texts)
        return super().save(commit)  # type: ignore[no-any-return]
