"""A write-only form field for channel secrets (passwords, bot tokens, signing keys).

The stored value is never rendered (not as the value, not after a failed
submit), and a blank field keeps it. A `SecretsForm` fills each `SecretField`
with its instance's stored value, so `cleaned_data` always holds the secret to
save: the new one when typed, else the stored one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class SecretInput(forms.PasswordInput):
    """A password box that never carries a value back to the browser."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "new-password", **(attrs or {})}, render_value=False)


class SecretField(forms.CharField):
    """Write-only: blank keeps `stored` (set by SecretsForm).

    `required=True` means required only while nothing is stored.
    """

    widget = SecretInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Leave empty to keep the stored value."))
        super().__init__(**kwargs)
        self.stored = ""

    def clean(self, value: Any) -> Any:
        blank = value in self.empty_values or (self.strip and not str(value).strip())
        if blank and self.stored:
            return self.stored
        return super().clean(value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        # Changed only when something was typed: the admin's change message then
        # names the field without the stored value ever being compared or shown.
        return bool(str(data or "").strip()) if self.strip else bool(data)

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data  # never fall back to the stored value


class SecretsForm(forms.ModelForm):  # type: ignore[type-arg]
    """ModelForm base: every SecretField starts from the instance's stored value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, SecretField):
                # Never an initial value: nothing to render, nothing to compare.
                self.initial.pop(name, None)
                stored = getattr(self.instance, name, "") if self.instance.pk else ""
                field.stored = str(stored or "")

    def secret_typed(self, name: str) -> bool:
        """Was a new value typed into secret field `name` (not merely kept)?"""
        field = self.fields[name]
        raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return bool(raw and str(raw).strip())
