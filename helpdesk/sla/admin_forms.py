"""Admin forms for SLA policies and time rules: rows and check boxes, no JSON shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.actions.errors import Invalid
from helpdesk.automation import conditions, options
from helpdesk.automation.schema import SchemaError
from helpdesk.automation.widgets import ActionsWidget, ConditionsWidget
from helpdesk.crm import attributes
from helpdesk.models import AttributeEntity, TicketStatus
from helpdesk.sla import contact_match, rule_actions
from helpdesk.sla.models import SlaContactCondition, SlaPolicy, TimeRule

PAUSABLE = [
    (s.value, s.label)
    for s in (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.SNOOZED)
]


def _editor_config(lists: dict[str, list[tuple[Any, str]]]) -> dict[str, Any]:
    """The automation rule editor's schema, with the time rules' own actions."""
    config = options.editor_schema(lists)
    config["actions"] = {
        name: {
            "label": str(spec.label),
            "params": [
                {"name": p.name, "label": str(p.label), "kind": p.kind, "options": p.options}
                for p in spec.params
            ],
        }
        for name, spec in rule_actions.ACTIONS.items()
    }
    return config


def _clean_conditions(form: forms.ModelForm, allowed: dict[str, set[Any]]) -> Any:  # type: ignore[type-arg]
    value = form.cleaned_data["conditions"] or []
    try:
        conditions.validate(value, allowed)
    except conditions.InvalidCondition as exc:
        form.fields["conditions"].widget.attrs["data-hd-error-row"] = str(exc.index or 0)
        raise forms.ValidationError(
            _("Condition %(row)s: %(problem)s"),
            params={"row": (exc.index or 0) + 1, "problem": exc.message},
        ) from exc
    return value


class SlaPolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    """Conditions as rows (the rule editor's), paused statuses as check boxes."""

    pause_statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Statuses that pause the clocks"),
        choices=PAUSABLE,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "enabled",
            "position",
            "conditions",
            "segments",
            "business_hours",
            "pause_statuses",
        ]
        widgets = {"conditions": ConditionsWidget, "segments": forms.CheckboxSelectMultiple}
        help_texts = {
            "conditions": gettext_lazy(
                "All must hold. With no condition the policy covers every ticket; "
                "the first policy in order that covers a ticket applies."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lists = options.option_lists()
        self._allowed = options.allowed_values(lists)
        self.fields["conditions"].widget.config = options.editor_schema(lists)
        self.fields["conditions"].required = False
        if not self.instance.pk:
            self.initial.setdefault("pause_statuses", ["pending", "snoozed"])

    def clean_conditions(self) -> Any:
        return _clean_conditions(self, self._allowed)


class SlaContactConditionForm(forms.ModelForm):  # type: ignore[type-arg]
    """One attribute condition; its value is checked against the attribute's type."""

    class Meta:
        model = SlaContactCondition
        fields = ["key", "op", "value"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys = [d.key for d in attributes.definitions(AttributeEntity.CONTACT)]
        self.fields["key"].help_text = ", ".join(keys) or self.fields["key"].help_text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key, op = data.get("key"), data.get("op")
        if key and op:
            if op not in contact_match.VALUELESS and not str(data.get("value", "")).strip():
                self.add_error("value", _("Enter a value, or choose “has a value”."))
            else:
                try:
                    contact_match.typed_value(key, op, str(data.get("value", "")))
                except Invalid as exc:
                    self.add_error("value", str(exc))
        return data


class TimeRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = TimeRule
        fields = [
            "name",
            "enabled",
            "position",
            "trigger",
            "amount",
            "business_hours",
            "conditions",
            "actions",
        ]
        widgets = {"conditions": ConditionsWidget, "actions": ActionsWidget}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lists = {**options.option_lists(), **rule_actions.option_lists()}
        self._allowed = options.allowed_values(lists)
        config = _editor_config(lists)
        for name in ("conditions", "actions"):
            self.fields[name].widget.config = config
        self.fields["conditions"].required = False
        self.fields["actions"].required = False

    def clean_conditions(self) -> Any:
        return _clean_conditions(self, self._allowed)

    def clean_actions(self) -> Any:
        value = self.cleaned_data["actions"] or []
        try:
            rule_actions.validate(value, self._allowed)
        except SchemaError as exc:
            if exc.index is None:
                raise forms.ValidationError(exc.message) from exc
            self.fields["actions"].widget.attrs["data-hd-error-row"] = str(exc.index)
            raise forms.ValidationError(
                _("Action %(row)s: %(problem)s"),
                params={"row": exc.index + 1, "problem": exc.message},
            ) from exc
        return value
