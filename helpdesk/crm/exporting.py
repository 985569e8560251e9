"""Export of contacts (a segment, a filter, a selection) to CSV or XLSX, streamed.

Rows are read with a server-side cursor (`iterator`) in chunks with their
identities and company, so a million contacts never sit in memory. CSV is
streamed to the client as it is written (UTF-8 with a BOM so Excel reads
Persian); XLSX is a zip and cannot be streamed, so openpyxl's write-only
workbook writes it to a temporary file first, row by row.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook

from helpdesk.crm.attributes import definitions
from helpdesk.models import AttributeEntity, Contact, ContactIdentity

CHUNK = 2000


def columns() -> tuple[list[str], list[str]]:
    """The fixed column names and the contact attribute keys, in order."""
    fixed = ["id", "name", "email", "phone", "other identities", "company", "tags", "language"]
    return fixed, [d.key for d in definitions(AttributeEntity.CONTACT)]


def rows(contacts: QuerySet[Contact]) -> Iterator[list[Any]]:
    """The header, then one row per contact."""
    fixed, keys = columns()
    yield [*fixed, *keys]
    qs = (
        contacts.select_related("company")
        .prefetch_related(
            Prefetch("identities", queryset=ContactIdentity.objects.order_by("kind", "address"))
        )
        .order_by("id")
    )
    for contact in qs.iterator(chunk_size=CHUNK):
        ids = list(contact.identities.all())
        emails = [i.address for i in ids if i.kind == "email"]
        phones = [i.address for i in ids if i.kind == "phone"]
        others = [f"{i.kind}:{i.address}" for i in ids if i.kind not in ("email", "phone")]
        attrs = contact.custom_attributes or {}
        yield [
            contact.pk,
            contact.name,
            ", ".join(emails),
            ", ".join(phones),
            ", ".join(others),
            contact.company.name if contact.company else "",
            ", ".join(contact.tags or []),
            contact.language,
            *(_cell(attrs.get(k)) for k in keys),
        ]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


class _Echo:
    """A file-like object whose write() returns the line (for csv.writer streaming)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(contacts: QuerySet[Contact]) -> Iterator[bytes]:
    """The CSV file in pieces, for a StreamingHttpResponse."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    buffer: list[str] = []
    for row in rows(contacts):
        buffer.append(writer.writerow([_safe(c) for c in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def _safe(value: Any) -> Any:
    """Keep spreadsheet apps from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _phone(value):
        return "'" + value
    return value


def _phone(value: str) -> bool:
    return value.startswith("+") and value[1:].replace(", +", "").isdigit()


def xlsx_file(contacts: QuerySet[Contact]) -> IO[bytes]:
    """The XLSX workbook in a temporary file, rewound (the caller closes it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("contacts")
    for row in rows(contacts):
        sheet.append([_safe(c) for c in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to a FileResponse, which closes it
    workbook.save(out)
    out.seek(0)
    return out
