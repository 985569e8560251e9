"""Export of contacts to CSV and XLSX: every column, attributes, formula-safe cells."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from helpdesk.crm.exporting import csv_chunks, xlsx_file
from helpdesk.models import AttributeDefinition, Company, Contact
from tests.helpdesk.crm.helpers import contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: None) -> None:
    AttributeDefinition.objects.create(entity="contact", key="plan", label="Plan", type="text")
    acme = Company.objects.create(name="Acme")
    contact(
        "مریم",
        email="maryam@example.ir",
        phone="+989121234567",
        tags=["vip"],
        attrs={"plan": "gold"},
        company=acme,
    )
    contact("=HYPERLINK(evil)", email="x@example.com")


def test_it_streams_a_csv_excel_reads_in_persian(people: None) -> None:
    body = b"".join(csv_chunks(Contact.objects.all())).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][-1] == "plan" and rows[0][1] == "name"
    maryam = next(r for r in rows if r[1] == "مریم")
    assert maryam[2:4] == ["maryam@example.ir", "+989121234567"]
    assert maryam[5:7] == ["Acme", "vip"] and maryam[-1] == "gold"
    assert any(r[1] == "'=HYPERLINK(evil)" for r in rows)  # never run as a formula


def test_it_writes_an_xlsx_workbook(people: None) -> None:
    with xlsx_file(Contact.objects.all()) as out:
        sheet = load_workbook(out, read_only=True)["contacts"]
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:2] == ["id", "name"]
    assert values[1][1:3] == ["مریم", "maryam@example.ir"]  # ordered by id
    assert len(values) == 3
