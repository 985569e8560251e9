"""The generic gateway's body template: lines an admin can write, or a JSON object."""

from __future__ import annotations

import pytest

from channels_in.sms.providers.generic import TemplateError, fill, parse_template

pytestmark = pytest.mark.embedded


def test_it_reads_lines_with_lists_and_nesting() -> None:
    template = "from = {from}\nto[] = {to_local}\n\nsms.text = {text}\nsms.ref = {reference}"
    assert parse_template(template) == {
        "from": "{from}",
        "to": ["{to_local}"],
        "sms": {"text": "{text}", "ref": "{reference}"},
    }


def test_it_reads_a_json_object_too() -> None:
    assert parse_template('{"a": ["{to}"], "n": 1}') == {"a": ["{to}"], "n": 1}


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("just text", "line 1: write one field per line as name = value"),
        ("a = 1\na = 2", "line 2: a is given twice"),
        ("a = 1\na.b = 2", "line 2: a is already a value"),
        ("{not json", "not JSON"),
    ],
)
def test_it_says_what_is_wrong(template: str, error: str) -> None:
    with pytest.raises(TemplateError, match=error):
        parse_template(template)


def test_it_fills_values_without_pasting_into_json_text() -> None:
    body = fill(parse_template("msg = {text}\nto = {to}"), {"text": '"}, "x": "', "to": "+98"})
    assert body == {"msg": '"}, "x": "', "to": "+98"}
