"""Segments and contact filters: members and live counts over every kind of condition."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.crm import segments
from helpdesk.crm.filters import ContactFilter, apply_filter
from helpdesk.ingest import receive
from helpdesk.models import Company, Contact, Segment, Ticket
from tests import factories
from tests.helpdesk.crm.helpers import contact

pytestmark = pytest.mark.django_db


def _names(qs: Any) -> set[str]:
    return set(qs.values_list("name", flat=True))


@pytest.mark.embedded
def test_it_counts_and_lists_the_members_of_a_saved_segment(db: None) -> None:
    acme = Company.objects.create(name="Acme")
    contact("Gold VIP", tags=["vip"], attrs={"plan": "gold", "seats": 12}, company=acme)
    contact("Gold small", tags=["vip"], attrs={"plan": "gold", "seats": 2})
    contact("Silver", tags=["vip"], attrs={"plan": "silver", "seats": 50})
    merged = contact("Gone", tags=["vip"], attrs={"plan": "gold", "seats": 99})
    merged.merged_into = Contact.objects.get(name="Silver")
    merged.save()
    segment = Segment.objects.create(
        name="Big gold",
        definition={
            "tags": ["VIP "],
            "attributes": [
                {"key": "plan", "op": "eq", "value": "gold"},
                {"key": "seats", "op": "gte", "value": 10},
            ],
        },
    )
    assert _names(segments.members(segment)) == {"Gold VIP"}
    assert segments.count(segment) == 1
    segment.definition = {"company_id": acme.pk}
    assert _names(segments.members(segment)) == {"Gold VIP"}
    segment.definition = {"attributes": [{"key": "plan", "op": "ne", "value": "gold"}]}
    assert _names(segments.members(segment)) == {"Silver"}  # the merged one never counts


@pytest.mark.embedded
def test_it_filters_by_channel_activity_open_tickets_and_set_attributes(
    email_inbox_a: Any, telegram_inbox_a: Any
) -> None:
    receive(factories.inbound(email_inbox_a, sender="mail@example.com", name="By mail"))
    receive(factories.inbound(telegram_inbox_a, sender="4242", name="By telegram"))
    old = Ticket.objects.get(contact__name="By telegram")
    Ticket.objects.filter(pk=old.pk).update(
        last_message_at=timezone.now() - timedelta(days=40), status="closed"
    )
    contact("Quiet", attrs={"note": ""})
    everyone = Contact.objects.all()
    assert _names(apply_filter(everyone, ContactFilter(channel="telegram"))) == {"By telegram"}
    assert _names(apply_filter(everyone, ContactFilter(seen_within_days=7))) == {"By mail"}
    assert _names(apply_filter(everyone, ContactFilter(not_seen_for_days=30))) == {
        "By telegram",
        "Quiet",
    }
    assert _names(apply_filter(everyone, ContactFilter(has_open_tickets=True))) == {"By mail"}
    assert _names(apply_filter(everyone, ContactFilter(has_open_tickets=False))) == {
        "By telegram",
        "Quiet",
    }
    unset = ContactFilter.model_validate({"attributes": [{"key": "note", "op": "unset"}]})
    assert "Quiet" in _names(apply_filter(everyone, unset))


def test_it_refuses_a_definition_with_unknown_fields_or_bad_keys() -> None:
    with pytest.raises(ValueError):
        ContactFilter.model_validate({"tagz": ["x"]})
    with pytest.raises(ValueError):
        ContactFilter.model_validate({"attributes": [{"key": "Bad Key", "value": 1}]})
