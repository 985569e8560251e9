"""The shared loader of webhook bodies refuses what would be a 500 deeper down."""

from __future__ import annotations

import pytest

from helpdesk.webhooks import BadBody, load_json

pytestmark = [pytest.mark.embedded]


def test_it_loads_ordinary_json() -> None:
    body = '{"update_id": 9, "message": {"text": "سلام [ok] {x}", "ids": [-1, 2.5, 9007]}}'
    assert load_json(body.encode()) == {
        "update_id": 9,
        "message": {"text": "سلام [ok] {x}", "ids": [-1, 2.5, 9007]},
    }


def test_it_keeps_a_surrogate_pair_escape_as_one_character() -> None:
    assert load_json(b'{"t": "\\ud83d\\ude00"}') == {"t": "\U0001f600"}


def test_it_allows_the_64_bit_extremes() -> None:
    assert load_json(b"[9223372036854775807, -9223372036854775808]") == [2**63 - 1, -(2**63)]


def test_it_ignores_brackets_inside_strings_when_measuring_depth() -> None:
    text = '"' + "[{" * 5000 + '\\"' + "]}" * 5000 + '"'
    assert load_json(('{"text": ' + text + "}").encode())["text"].startswith("[{[{")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nested deeper"),
        (b'{"text": "\\ud800"}', "surrogate"),
        (b'{"text": "\\udfff tail"}', "surrogate"),
        (b'{"\\ud800": 1}', "surrogate"),
        (b'{"id": 1180591620717411303424}', "64 bits"),
        (b'{"id": 9223372036854775808}', "64 bits"),
        (b'{"id": -9223372036854775809}', "64 bits"),
        (b'{"id": ' + b"9" * 5000 + b"}", "64 bits"),
        (b'{"x": NaN}', "NaN"),
        (b'{"x": -Infinity}', "Infinity"),
        (b'{"x": 1e999}', "too large"),
        (b'{"x": ', "malformed JSON"),
        (b"\xed\xa0\x80", "not UTF-8"),
        (b"\xff", "not UTF-8"),
    ],
)
def test_it_refuses_bodies_nobody_can_process(body: bytes, words: str) -> None:
    with pytest.raises(BadBody) as refused:
        load_json(body)
    assert words in str(refused.value)
