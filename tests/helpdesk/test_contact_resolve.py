"""Contact.resolve(): follow merges to the surviving contact, safely."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.models import Contact

pytestmark = [pytest.mark.django_db]


def test_it_is_the_contact_itself_when_never_merged(django_assert_num_queries: Any) -> None:
    contact = Contact.objects.create(name="Sara")
    with django_assert_num_queries(0):
        assert contact.resolve() == contact


def test_it_follows_a_chain_of_merges_to_the_survivor() -> None:
    survivor = Contact.objects.create(name="Sara")
    middle = Contact.objects.create(name="S.", merged_into=survivor)
    first = Contact.objects.create(name="sara@example.com", merged_into=middle)
    assert first.resolve() == survivor
    assert middle.resolve() == survivor
    assert first.resolve(for_update=True) == survivor  # the action's locking walk


def test_it_stops_at_a_cycle_instead_of_looping(caplog: pytest.LogCaptureFixture) -> None:
    a = Contact.objects.create(name="A")
    b = Contact.objects.create(name="B", merged_into=a)
    c = Contact.objects.create(name="C", merged_into=b)
    Contact.objects.filter(pk=a.pk).update(merged_into=c)  # a hand edit: a -> c -> b -> a
    a.refresh_from_db()
    assert a.resolve() == b  # the last contact not yet seen
    assert "cycle" in caplog.text
    self_merged = Contact.objects.create(name="D")
    Contact.objects.filter(pk=self_merged.pk).update(merged_into=self_merged)
    self_merged.refresh_from_db()
    assert self_merged.resolve() == self_merged
