"""The contact search: Persian-aware names, phones in every Iranian form, emails by case."""

from __future__ import annotations

import pytest

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
