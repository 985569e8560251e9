"""Loading the JSON body of a webhook (Telegram, CTI, ...) without surprises.

`json.loads` accepts documents the desk can neither process nor store, and each
surprise used to surface as a 500 somewhere deeper:

* nesting: 100,000 `[` in 200 KB raise RecursionError inside the C decoder
  (and whatever walks the result recursively afterwards);
* `"\\ud800"`: a JSON escape of a lone UTF-16 surrogate decodes to a str that no
  UTF-8 encoder (hence no database driver) accepts;
* integers of any size: a 70-bit chat id overflows a bigint column, and 5,000
  digits raise ValueError (Python's int-from-string limit);
* `NaN`, `Infinity`, `1e999`: not JSON, and not storable in a JSON column.

`load_json` refuses all of these with `BadBody`, whose message adapters return
with a 400. NUL characters are *valid* JSON text: they are left to the core,
which strips them from every InboundMessage (helpdesk.inbound.clean_text).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32  # Telegram updates nest ~6 levels (a reply's entities), CTI bodies 2
MAX_INT_DIGITS = 19  # 2**63 has 19 digits: anything longer cannot fit a bigint
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# A JSON string (the unrolled form of "(?:[^"\\]|\\.)*": linear, no backtracking).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadBody(ValueError):
    """The body is not JSON the desk accepts; the message says why (for a 400)."""


def load_json(body: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decode a webhook body: UTF-8 JSON, nested at most `max_depth` levels,
    integers within 64 bits, finite numbers, no lone surrogates. Raises BadBody."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody(f"the body is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    _check_nesting(text, max_depth)
    try:
        data = json.loads(text, parse_int=_parse_int, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise BadBody(f"malformed JSON: {exc}") from exc
    except RecursionError as exc:  # unreachable after _check_nesting; kept as a guard
        raise BadBody("malformed JSON: nested too deeply") from exc
    _check_values(data)
    return data


def _check_nesting(text: str, max_depth: int) -> None:
    """Refuse deep nesting before the decoder recurses into it."""
    if text.count("[") + text.count("{") <= max_depth:
        return  # the common case: too few brackets to nest that deep
    depth = 0
    # Brackets inside strings do not nest: drop the strings, then walk the brackets.
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                raise BadBody(f"malformed JSON: nested deeper than {max_depth} levels")
        else:
            depth -= 1


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise BadBody(f"malformed JSON: the number {digits[:24]}... does not fit 64 bits")
    return int(digits)


def _no_constant(name: str) -> Any:
    raise BadBody(f"malformed JSON: {name} is not a JSON number")


def _check_values(data: Any) -> None:
    """Walk the decoded document (without recursion) for values nobody can store."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            if not value.isascii() and _SURROGATE.search(value):
                raise BadBody("malformed JSON: a string holds a lone UTF-16 surrogate")
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if not INT64_MIN <= value <= INT64_MAX:
                raise BadBody(f"malformed JSON: the number {value} does not fit 64 bits")
        elif isinstance(value, float) and not math.isfinite(value):
            raise BadBody("malformed JSON: a number is too large")
