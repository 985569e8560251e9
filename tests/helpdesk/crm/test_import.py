"""CSV import: mapping, normalization and dedupe, rejected rows, dry run, crash and resume."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.management import call_command

from helpdesk.actions.errors import Forbidden, Invalid
from helpdesk.actions.imports import do_import_batch, do_start_import, run_import
from helpdesk.crm import csvfile, importing
from helpdesk.models import (
    AttributeDefinition,
    Company,
    Contact,
    ContactIdentity,
    ImportState,
)
from tests.helpdesk.crm.helpers import contact

pytestmark = pytest.mark.django_db

CSV = """نام,ایمیل,Mobile,Company,Tags,Plan,Ignored
Ali Karimi,ALI@Example.COM,۰۹۱۲۱۲۳۴۵۶۷,Acme,"vip, Lead",gold,x
Ali again,,+98 912 123 4567,,new,,y
Sara,sara@example.com,,Acme,,silver,
Nobody,not-an-email,,,,,
,,,,,,
Bad plan,bad@example.com,,,,platinum,
Old customer,OLD@example.com,,,returning,,
"""

MAPPING = {
    "نام": "name",
    "ایمیل": "email",
    "Mobile": "phone",
    "Company": "company",
    "Tags": "tags",
    "Plan": "attr:plan",
    "Ignored": "",
}


@pytest.fixture
def plan_attribute(db: None) -> None:
    AttributeDefinition.objects.create(
        entity="contact", key="plan", label="Plan", type="list", choices=["gold", "silver"]
    )


def test_it_guesses_persian_and_english_columns(plan_attribute: None) -> None:
    header, rows = csvfile.read_rows(CSV)
    assert csvfile.guess_mapping(header) == {**MAPPING, "Ignored": ""}
    assert len(rows) == 6  # the blank line is dropped


def test_it_imports_normalizes_dedupes_and_keeps_rejected_rows_with_reasons(
    admin_user: Any, plan_attribute: None
) -> None:
    old = contact("old@example.com", email="old@example.com", tags=["customer"])
    job = do_start_import(admin_user, "people.csv", CSV.encode(), MAPPING)
    job = run_import(job.pk, batch_size=2)
    assert job.state == ImportState.DONE and job.percent == 100
    assert (job.created_count, job.updated_count, job.rejected_count) == (2, 1, 2)
    ali = ContactIdentity.objects.get(kind="phone", address="+989121234567").contact
    assert ali.name == "Ali Karimi" and ali.tags == ["lead", "new", "vip"]  # row 2 folded in
    assert set(ali.identities.values_list("address", flat=True)) == {
        "ali@example.com",
        "+989121234567",
    }
    assert ali.custom_attributes == {"plan": "gold"} and ali.company is not None
    assert Company.objects.filter(name="Acme").count() == 1
    assert Contact.objects.get(name="Sara").company == ali.company
    old.refresh_from_db()
    assert old.name == "Old customer" and old.tags == ["customer", "returning"]
    rejected = list(csv.reader(io.StringIO(job.rejected_csv)))
    assert rejected[0][-1] == "reason"
    assert [r[0] for r in rejected[1:]] == ["Nobody", "Bad plan"]
    assert "email" in rejected[1][-1] and "plan" in rejected[2][-1]


def test_it_counts_a_dry_run_without_changing_anything(admin_user: Any) -> None:
    job = do_start_import(
        admin_user, "p.csv", CSV.encode(), {"نام": "name", "ایمیل": "email"}, dry_run=True
    )
    job = run_import(job.pk)
    assert job.created_count == 5 and job.rejected_count == 1
    assert not Contact.objects.exists()


def test_it_loses_only_the_batch_in_flight_on_a_crash_and_resumes(
    admin_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "name,email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(6))
    job = do_start_import(admin_user, "p.csv", rows.encode(), {"name": "name", "email": "email"})
    do_import_batch(job.pk, 2)
    real = importing.apply_plans

    def crash(plans: Any, result: Any) -> None:
        real(plans, result)  # the contacts are written, then the process dies
        raise RuntimeError("killed")

    monkeypatch.setattr("helpdesk.actions.imports.apply_plans", crash)
    with pytest.raises(RuntimeError):
        do_import_batch(job.pk, 2)
    assert Contact.objects.count() == 2
    job.refresh_from_db()
    assert job.next_row == 2 and job.state == ImportState.RUNNING
    monkeypatch.setattr("helpdesk.actions.imports.apply_plans", real)
    job = run_import(job.pk, batch_size=2)
    assert job.created_count == 6 and Contact.objects.count() == 6


def test_it_refuses_agents_bad_mappings_and_unreadable_files(admin_user: Any, agent_a: Any) -> None:
    with pytest.raises(Forbidden):
        do_start_import(agent_a, "p.csv", CSV.encode(), MAPPING)
    with pytest.raises(Invalid, match="same field"):
        do_start_import(admin_user, "p.csv", CSV.encode(), {"نام": "name", "Company": "name"})
    with pytest.raises(Invalid, match="name, email or phone"):
        do_start_import(admin_user, "p.csv", CSV.encode(), {"Company": "company"})
    with pytest.raises(Invalid):
        do_start_import(admin_user, "p.csv", b"\xff\xfe\x00garbage\x00", {"a": "name"})


def test_it_imports_from_the_command_line_with_a_progress_bar(
    admin_user: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    rejected = tmp_path / "rejected.csv"
    call_command("import_contacts", str(path), "--map", "Plan=", "--rejected", str(rejected))
    out = capsys.readouterr()
    assert "4 created, 0 updated, 1 rejected" in out.out and "100%" in out.err
    assert "Nobody" in rejected.read_text(encoding="utf-8")
