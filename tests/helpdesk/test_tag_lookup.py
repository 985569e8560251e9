"""`tag_q` matches whole tags in a JSON tag list, on PostgreSQL and on SQLite."""

from __future__ import annotations

import pytest

from helpdesk.models import Contact
from helpdesk.tag_lookup import tag_q

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _names(tag: str) -> set[str]:
    return set(Contact.objects.filter(tag_q("tags", tag)).values_list("name", flat=True))


def test_it_matches_whole_tags_only() -> None:
    Contact.objects.create(name="both", tags=["a", "vip"])
    Contact.objects.create(name="longer", tags=["vipx", "xvip"])
    Contact.objects.create(name="none", tags=[])
    assert _names("vip") == {"both"}
    assert _names("vipx") == {"longer"}
    assert _names("ip") == set()


def test_it_matches_persian_tags() -> None:
    Contact.objects.create(name="persian", tags=["مشتری ویژه"])
    Contact.objects.create(name="other", tags=["مشتری"])
    assert _names("مشتری ویژه") == {"persian"}
    assert _names("مشتری") == {"other"}
