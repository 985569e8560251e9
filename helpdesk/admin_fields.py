"""Form fields that edit JSON lists and objects as plain text, for admin forms.

A person sees one item per line (`LinesField`) or `name: value` lines
(`PairsField`); the model keeps its JSON list or object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext as _


class LinesField(forms.Field):
    """A JSON list of strings shown as a text box, one item per line; `clean_line`
    may normalize each line or raise ValueError for one it refuses."""

    def __init__(self, *, clean_line: Callable[[str], str] | None = None, **kw: Any) -> None:
        kw.setdefault("required", False)
        kw.setdefault("widget", forms.Textarea(attrs={"rows": 4, "dir": "ltr"}))
        super().__init__(**kw)
        self.clean_line = clean_line

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return "" if value is None else str(value)

    def to_python(self, value: Any) -> list[str]:
        lines = [line.strip() for line in str(value or "").splitlines()]
        found: list[str] = []
        for line in filter(None, lines):
            try:
                item = self.clean_line(line) if self.clean_line else line
            except ValueError as exc:
                raise forms.ValidationError(
                    _("%(line)s: %(problem)s"), params={"line": line, "problem": exc}
                ) from exc
            if item not in found:
                found.append(item)
        return found

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(self.prepare_value(initial)) != self.to_python(data)


class PairsField(forms.Field):
    """A JSON object of text values shown as `name: value` lines."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("required", False)
        kw.setdefault("widget", forms.Textarea(attrs={"rows": 4, "dir": "auto"}))
        super().__init__(**kw)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, dict):
            return "\n".join(f"{k}: {v}" for k, v in value.items())
        return "" if value is None else str(value)

    def to_python(self, value: Any) -> dict[str, str]:
        pairs: dict[str, str] = {}
        for line in str(value or "").splitlines():
            if not line.strip():
                continue
            name, colon, text = line.partition(":")
            if not colon or not name.strip():
                raise forms.ValidationError(
                    _("Write each line as “name: value” (%(line)s)."), params={"line": line}
                )
            pairs[name.strip()] = text.strip()
        return pairs

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(self.prepare_value(initial)) != self.to_python(data)


def as_text(value: Any) -> str:
    """JSON shown to a person: a list as "a, b", an object as "name: value" lines."""
    if isinstance(value, list):
        return ", ".join(as_text(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {as_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)
