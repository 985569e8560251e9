"""Typed custom attributes: validation and conversion of values to their stored JSON form.

Values are stored in the entity's `custom_attributes` JSON under the
definition's key: text, link, list as strings, numbers as numbers, checkboxes
as booleans, dates as ISO `YYYY-MM-DD` (a Jalali date such as ۱۴۰۳/۰۵/۱۲ is
accepted and converted), phone numbers in E.164, emails lower case. Keys
without a definition are kept as they are (free-form attributes predate the
definitions); an empty value removes the key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from helpdesk.actions.errors import Invalid
from helpdesk.digits import ascii_digits
from helpdesk.identities import InvalidAddress, normalize_phone
from helpdesk.jalali import from_jalali
from helpdesk.models import AttributeDefinition, AttributeEntity, AttributeType

_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_TRUE = {"1", "true", "yes", "on", "y", "بله", "آری"}
_FALSE = {"0", "false", "no", "off", "n", "خیر", "نه", ""}
MAX_TEXT = 1000


def definitions(entity: AttributeEntity | str) -> list[AttributeDefinition]:
    """The attribute definitions of an entity, in display order."""
    return list(AttributeDefinition.objects.filter(entity=entity).order_by("position", "id"))


def clean_value(defn: AttributeDefinition, raw: Any) -> Any:
    """`raw` (typed in a form, a CSV cell or JSON) as stored for `defn`; raises Invalid.

    None or "" means "no value" and returns None.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return _CLEANERS[defn.type](defn, raw)
    except (ValueError, TypeError, ValidationError, InvalidAddress, InvalidOperation) as exc:
        raise Invalid(f"{defn.key}: {_reason(exc)}", field=defn.key) from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)
    return str(exc) or type(exc).__name__


def _text(defn: AttributeDefinition, raw: Any) -> str:
    text = str(raw).strip()
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ValueError(f"at most {MAX_TEXT} characters")
    return text


def _number(defn: AttributeDefinition, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValueError("not a number")
    if isinstance(raw, int | float):
        value = Decimal(str(raw))
    else:
        text = ascii_digits(str(raw)).strip().replace("٫", ".").replace(",", "").replace("٬", "")
        value = Decimal(text)
    if not value.is_finite():
        raise ValueError("not a number")
    return int(value) if value == value.to_integral_value() else float(value)


def _date(defn: AttributeDefinition, raw: Any) -> str:
    if isinstance(raw, date):
        return raw.isoformat()
    match = _DATE.match(ascii_digits(str(raw)).strip())
    if not match:
        raise ValueError("not a date (YYYY-MM-DD, or a Jalali date 1403/05/12)")
    y, m, d = (int(g) for g in match.groups())
    day = from_jalali(y, m, d) if y < 1700 else date(y, m, d)
    return day.isoformat()


def _checkbox(defn: AttributeDefinition, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = ascii_digits(str(raw)).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not yes or no")


def _list(defn: AttributeDefinition, raw: Any) -> str:
    text = str(raw).strip()
    for choice in defn.choices or []:
        if str(choice).lower() == text.lower():
            return str(choice)
    raise ValueError(f"not one of {', '.join(str(c) for c in defn.choices or [])}")


def _link(defn: AttributeDefinition, raw: Any) -> str:
    text = str(raw).strip()
    URLValidator(schemes=["http", "https"])(text)
    return text


def _phone(defn: AttributeDefinition, raw: Any) -> str:
    return normalize_phone(str(raw))


def _email(defn: AttributeDefinition, raw: Any) -> str:
    text = str(raw).strip().lower()
    EmailValidator()(text)
    return text


_CLEANERS: dict[str, Callable[[AttributeDefinition, Any], Any]] = {
    AttributeType.TEXT: _text,
    AttributeType.NUMBER: _number,
    AttributeType.DATE: _date,
    AttributeType.CHECKBOX: _checkbox,
    AttributeType.LIST: _list,
    AttributeType.LINK: _link,
    AttributeType.PHONE: _phone,
    AttributeType.EMAIL: _email,
}


def merge_values(
    entity: AttributeEntity | str,
    current: dict[str, Any],
    changes: dict[str, Any],
    defs: list[AttributeDefinition] | None = None,
) -> dict[str, Any]:
    """`current` with `changes` applied: defined keys validated, empty values removed,
    required attributes checked. Raises Invalid naming the first bad key."""
    by_key = {d.key: d for d in (definitions(entity) if defs is None else defs)}
    result = dict(current)
    for key, raw in changes.items():
        if not isinstance(key, str) or not key or len(key) > 50 or "\x00" in key:
            raise Invalid("attribute names are 1 to 50 characters", field="custom_attributes")
        defn = by_key.get(key)
        try:
            value = clean_value(defn, raw) if defn is not None else raw
        except Invalid as exc:
            raise Invalid(exc.message, field="custom_attributes") from exc
        if value is None or value == "":
            result.pop(key, None)
        else:
            result[key] = value
    for defn in by_key.values():
        if defn.required and defn.key in changes and defn.key not in result:
            raise Invalid(f"{defn.key}: a value is required", field="custom_attributes")
    return result


def display(defn: AttributeDefinition, values: dict[str, Any]) -> Any:
    """The stored value of `defn` in `values` (None when unset)."""
    return values.get(defn.key)
