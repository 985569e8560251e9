"""Reading an uploaded contacts CSV: encoding, delimiter, header, column guesses."""

from __future__ import annotations

import csv
import io
import re

from helpdesk import channels

# Target fields a CSV column can map to (besides "attr:<key>" and "identity:<kind>").
FIELDS = ("name", "email", "phone", "company", "tags", "notes", "language")
SKIP = ""
_GUESSES = {
    "name": ("name", "full name", "fullname", "contact", "نام", "نام و نام خانوادگی"),
    "email": ("email", "e-mail", "mail", "email address", "ایمیل", "پست الکترونیک"),
    "phone": ("phone", "mobile", "tel", "telephone", "cell", "تلفن", "موبایل", "شماره"),
    "company": ("company", "organization", "organisation", "شرکت", "سازمان"),
    "tags": ("tags", "tag", "labels", "برچسب", "برچسب‌ها"),
    "notes": ("notes", "note", "comment", "یادداشت"),
    "language": ("language", "lang", "زبان"),
}


class BadFile(ValueError):
    """The upload is not a CSV we can read."""


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1256 (Persian Excel)."""
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile("the file is neither UTF-8 nor Windows-1256 text")


def dialect_of(text: str) -> type[csv.Dialect]:
    """Comma, semicolon or tab, as the first lines show."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows (blank lines dropped)."""
    rows = [r for r in csv.reader(io.StringIO(text), dialect_of(text)) if any(c.strip() for c in r)]
    if not rows:
        raise BadFile("the file has no rows")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header) or not all(header):
        raise BadFile("every column needs a distinct name in the first row")
    return header, rows[1:]


def targets() -> list[str]:
    """Every target a column may map to: fields, identity kinds, attribute keys."""
    from helpdesk.models import AttributeDefinition

    kinds = [f"identity:{k}" for k in channels.identity_specs() if k not in ("email", "phone")]
    attrs = [
        f"attr:{k}"
        for k in AttributeDefinition.objects.filter(entity="contact").values_list("key", flat=True)
    ]
    return [*FIELDS, *kinds, *attrs]


def guess_mapping(header: list[str]) -> dict[str, str]:
    """A first mapping from column names (English or Persian); unknown columns skipped."""
    known = set(targets())
    mapping: dict[str, str] = {}
    for column in header:
        key = re.sub(r"[\s_]+", " ", column.strip().lower())
        found = next((f for f, names in _GUESSES.items() if key in names), None)
        if found is None and f"attr:{key.replace(' ', '_')}" in known:
            found = f"attr:{key.replace(' ', '_')}"
        if found and found not in mapping.values():
            mapping[column] = found
        else:
            mapping[column] = SKIP
    return mapping
