"""Admin editors that keep JSON out of sight: rule conditions and actions, a week grid,
a holiday calendar. Each renders a hidden input holding the JSON the model stores and
an empty box that a small ES module (helpdesk/static/helpdesk/admin/) fills with
ordinary controls, writing the JSON back on every change. The server validates it.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import get_language

EDITOR_CSS = "helpdesk/admin/editors.css"


def _module(path: str) -> forms.Script:
    return forms.Script(path, type="module")


class JSONEditorWidget(forms.Widget):
    """A hidden JSON input plus a box the editor script `editor` builds its controls in."""

    template_name = "helpdesk/widgets/json_editor.html"
    editor = ""

    def __init__(self, attrs: dict[str, Any] | None = None, config: Any = None) -> None:
        super().__init__(attrs)
        self.config = config

    def format_value(self, value: Any) -> str:
        # JSONField.prepare_value has already turned the value into JSON text.
        return "" if value is None else str(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["editor"] = self.editor
        context["widget"]["config"] = json.dumps(self.config or {}, ensure_ascii=False)
        context["widget"]["language"] = get_language() or "en"
        return context


class ConditionsWidget(JSONEditorWidget):
    editor = "conditions"

    class Media:
        css = {"all": [EDITOR_CSS]}
        js = [_module("helpdesk/admin/rule_editor.js")]


class ActionsWidget(ConditionsWidget):
    editor = "actions"


class WeekGridWidget(JSONEditorWidget):
    editor = "week"

    class Media:
        css = {"all": [EDITOR_CSS]}
        js = [_module("helpdesk/admin/week_grid.js")]


class HolidaysWidget(JSONEditorWidget):
    """Holidays as ISO dates; picked on a Jalali calendar in Persian, Gregorian in English."""

    editor = "holidays"

    @property
    def media(self) -> forms.Media:
        css = [EDITOR_CSS]
        js: list[Any] = []
        if (get_language() or "").startswith("fa"):
            css.append("vendor/jalalidatepicker/jalalidatepicker.min.css")
            js.append("vendor/jalalidatepicker/jalalidatepicker.min.js")
        js.append(_module("helpdesk/admin/holidays.js"))
        return forms.Media(css={"all": css}, js=js)
