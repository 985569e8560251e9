"""SecretField: write-only (never rendered), blank keeps the stored value."""

from __future__ import annotations

import pytest

from helpdesk.channel_kit import SecretField, SecretsForm
from helpdesk.models import Contact

pytestmark = [pytest.mark.django_db]

STORED = "s3cr3t-stored-value"


class NotesForm(SecretsForm):
    """`notes` stands in for a password: any text field of a model will do."""

    notes = SecretField(label="secret")

    class Meta:
        model = Contact
        fields = ["name", "notes"]


class RequiredForm(NotesForm):
    notes = SecretField(label="secret", required=True)


def test_it_never_renders_the_stored_value() -> None:
    contact = Contact.objects.create(name="Sara", notes=STORED)
    html = str(NotesForm(instance=contact))
    assert STORED not in html
    assert 'type="password"' in html and 'autocomplete="new-password"' in html


def test_it_never_renders_a_typed_value_after_a_failed_submit() -> None:
    contact = Contact.objects.create(name="Sara", notes=STORED)
    form = NotesForm({"name": "x" * 500, "notes": "typed-new-secret"}, instance=contact)
    assert not form.is_valid()  # the name is too long
    html = str(form)
    assert "typed-new-secret" not in html and STORED not in html


def test_it_keeps_the_stored_value_when_left_blank() -> None:
    contact = Contact.objects.create(name="Sara", notes=STORED)
    form = NotesForm({"name": "Sara T.", "notes": "  "}, instance=contact)
    assert form.is_valid(), form.errors
    assert not form.secret_typed("notes") and "notes" not in form.changed_data
    form.save()
    contact.refresh_from_db()
    assert contact.notes == STORED and contact.name == "Sara T."


def test_it_replaces_the_stored_value_when_a_new_one_is_typed() -> None:
    contact = Contact.objects.create(name="Sara", notes=STORED)
    form = NotesForm({"name": "Sara", "notes": "new-value"}, instance=contact)
    assert form.is_valid(), form.errors
    assert form.secret_typed("notes") and "notes" in form.changed_data
    form.save()
    contact.refresh_from_db()
    assert contact.notes == "new-value"


def test_it_requires_a_value_only_while_none_is_stored() -> None:
    assert "notes" in RequiredForm({"name": "New", "notes": ""}).errors
    contact = Contact.objects.create(name="Sara", notes=STORED)
    assert RequiredForm({"name": "Sara", "notes": ""}, instance=contact).is_valid()
