"""The notification preferences form: a grid of kinds by ways, and the agent's switches."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.models import BusinessHours
from helpdesk.notifications.models import NotificationKind, NotificationSettings
from helpdesk.notifications.preferences import Choice

WAYS = ("in_app", "desktop", "email")


class PreferencesForm(forms.Form):
    """One checkbox per kind and way (`<kind>__<way>`), then the global switches."""

    desktop = forms.BooleanField(label=_("Desktop notifications"), required=False)
    sound = forms.BooleanField(label=_("Sound for new chats and mentions"), required=False)
    working_hours = forms.ModelChoiceField(
        label=_("My working hours"),
        queryset=BusinessHours.objects.order_by("name"),
        required=False,
        empty_label=_("My team's business hours"),
        help_text=_("Mail outside these hours waits, gathered into one digest, until they start."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        table: dict[str, Choice],
        settings_row: NotificationSettings,
    ) -> None:
        super().__init__(data)
        self.kinds = list(NotificationKind)
        for kind in self.kinds:
            choice = table[kind]
            for way in WAYS:
                self.fields[f"{kind}__{way}"] = forms.BooleanField(
                    required=False, initial=getattr(choice, way), label=f"{kind.label}: {way}"
                )
        self.fields["desktop"].initial = settings_row.desktop
        self.fields["sound"].initial = settings_row.sound
        self.fields["working_hours"].initial = settings_row.working_hours_id

    def rows(self) -> list[tuple[str, Any, list[forms.BoundField]]]:
        """(kind, label, its three checkboxes) for the template's grid."""
        return [
            (str(kind), kind.label, [self[f"{kind}__{way}"] for way in WAYS]) for kind in self.kinds
        ]

    def table(self) -> dict[str, Choice]:
        data = self.cleaned_data
        return {
            str(kind): Choice(
                in_app=data[f"{kind}__in_app"],
                desktop=data[f"{kind}__desktop"],
                email=data[f"{kind}__email"],
            )
            for kind in self.kinds
        }

    def switches(self) -> dict[str, Any]:
        hours = self.cleaned_data["working_hours"]
        return {
            "sound": self.cleaned_data["sound"],
            "desktop": self.cleaned_data["desktop"],
            "working_hours_id": hours.pk if hours is not None else None,
        }
