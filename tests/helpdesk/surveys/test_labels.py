"""Every field of the survey models has its own translated label, so the admin shows no
raw English field name in Persian (NpsCampaign.last_run_at did)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

pytestmark = pytest.mark.embedded


def _concrete() -> list[Any]:
    return [
        field
        for model in apps.get_app_config("surveys").get_models()
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created
    ]


def _fields() -> list[tuple[str, str, str]]:
    return [(f.model.__name__, f.name, str(f.verbose_name)) for f in _concrete()]


def test_it_labels_every_field_of_the_survey_models() -> None:
    # A label Django made from the field's name is a plain str; ours are lazy translations.
    raw = [f.name for f in _concrete() if not isinstance(f.verbose_name, Promise)]
    assert raw == []


def test_it_shows_the_labels_in_persian() -> None:
    with translation.override("fa"):
        labels = {(m, n): label for m, n, label in _fields()}
        untranslated = [key for key, label in labels.items() if label.isascii()]
    assert labels[("NpsCampaign", "last_run_at")] == "آخرین اجرا"
    assert untranslated == []
