"""The contact search: Persian-aware names, phones in every Iranian form, emails by case."""

from __future__ import annotations

import pytest

from helpdesk import contact_search
from helpdesk.contact_search import search_contacts
from helpdesk.models import Contact
from tests.helpdesk.crm.helpers import contact

pytestmark = pytest.mark.django_db


def _found(q: str) -> set[str]:
    return set(search_contacts(Contact.objects.all(), q).values_list("name", flat=True))


@pytest.fixture
def people(db: None) -> None:
    contact("علی کریمی", phone="+989121234567")
    contact("Sara Example", email="Sara.Example@Mail.com")
    contact("Reza", phone="+982188776655", email="reza@example.ir")


@pytest.mark.embedded
@pytest.mark.parametrize(
    "q",
    ["09121234567", "9121234567", "+98 912 123 4567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷", "0912-123"],
)
def test_it_finds_a_phone_number_however_it_is_typed(people: None, q: str) -> None:
    assert _found(q) == {"علی کریمی"}


@pytest.mark.embedded
def test_it_finds_names_whatever_the_keyboard_and_emails_whatever_the_case(people: None) -> None:
    assert _found("علي") == {"علی کریمی"}  # Arabic yeh typed
    assert _found("كريمي") == {"علی کریمی"}  # Arabic kaf and yeh
    assert _found("SARA.example@mail") == {"Sara Example"}
    assert _found("sara") == {"Sara Example"}
    assert _found("reza@EXAMPLE.ir") == {"Reza"}
    assert _found("nobody") == set()
    assert _found("Re") == {"Reza"}  # two letters: a name prefix


@pytest.mark.embedded
@pytest.mark.parametrize("upto", [1, 2, 4, 9])
def test_it_pages_the_same_when_it_tries_the_newest_contacts_first(
    db: None, monkeypatch: pytest.MonkeyPatch, upto: int
) -> None:
    for n in range(6):
        contact(f"Maryam {n}", email=f"m{n}@example.com")
        contact(f"Other {n}", email=f"maryam.{n}@example.org" if n % 2 else "")
    monkeypatch.setattr(contact_search, "WINDOW", 3)  # the newest three contacts
    everyone = Contact.objects.all()
    for q in ("maryam", "Other", "m1@example"):
        newest_first = contact_search.top_ids(everyone, q, ("-id",), upto, whole=True)
        plain = contact_search.top_ids(everyone, q, ("-id",), upto)
        expected = list(search_contacts(everyone, q).order_by("-id").values_list("id", flat=True))
        assert newest_first == plain == expected[:upto]


@pytest.mark.embedded
@pytest.mark.parametrize("few", [2, 500])
def test_it_pages_a_slice_the_same_whether_the_search_is_rare_or_broad(
    db: None, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    people = [contact(f"Maryam {n}", email=f"m{n}@example.com") for n in range(8)]
    monkeypatch.setattr(contact_search, "FEW", few)  # 2: "maryam" is broad, walk the slice
    slice_ = Contact.objects.filter(id__in=[c.pk for c in people[1::2]])
    for q in ("maryam", "m3@example", "Maryam 5"):
        expected = list(search_contacts(slice_, q).order_by("-id").values_list("id", flat=True))
        assert contact_search.top_ids(slice_, q, ("-id",), 3) == expected[:3]
        assert expected  # every query finds someone in the slice
