"""Typed attributes and contact tags in automation conditions (helpdesk.automation)."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.automation import schema
from helpdesk.automation.conditions import Context, holds
from helpdesk.ingest import receive
from helpdesk.models import Contact, Ticket
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_matches_ticket_attributes_and_contact_tags(email_inbox_a: Any) -> None:
    result = receive(factories.inbound(email_inbox_a))
    Ticket.objects.filter(pk=result.ticket.pk).update(custom_attributes={"order": "A-1"})
    Contact.objects.filter(pk=result.ticket.contact_id).update(tags=["vip"])
    ticket = Ticket.objects.select_related("contact", "inbox").get(pk=result.ticket.pk)
    attr = {"field": "ticket.attribute", "name": "order", "op": "is", "value": "A-1"}
    tags = {"field": "contact.tags", "op": "contains", "value": "vip"}
    schema.check_condition(attr, None)
    schema.check_condition(tags, None)
    ctx = Context(ticket, result.message)
    assert holds(attr, ctx) and holds(tags, ctx)
    assert not holds({**tags, "value": "lead"}, ctx)
    with pytest.raises(schema.SchemaError):
        schema.check_condition({**attr, "name": ""}, None)


@pytest.mark.embedded
def test_it_matches_contacts_by_segment_membership(email_inbox_a: Any) -> None:
    from helpdesk.automation.options import allowed_values, option_lists
    from helpdesk.models import Segment

    result = receive(factories.inbound(email_inbox_a))
    Contact.objects.filter(pk=result.ticket.contact_id).update(tags=["vip"])
    vip = Segment.objects.create(name="VIP", definition={"tags": ["vip"]})
    leads = Segment.objects.create(name="Leads", definition={"tags": ["lead"]})
    ticket = Ticket.objects.select_related("contact", "inbox").get(pk=result.ticket.pk)
    ctx = Context(ticket, result.message)
    member = {"field": "contact.segment", "op": "is", "value": vip.pk}
    schema.check_condition(member, allowed_values(option_lists()))
    assert holds(member, ctx)
    assert not holds({**member, "value": leads.pk}, ctx)
    assert holds({**member, "op": "is_not", "value": leads.pk}, ctx)
    assert not holds({**member, "op": "is_not"}, ctx)
    assert holds({**member, "op": "in", "value": [leads.pk, vip.pk]}, ctx)
    gone = vip.pk
    vip.delete()
    assert not holds({**member, "value": gone}, ctx)  # a deleted segment holds no one
    with pytest.raises(schema.SchemaError):  # and the editor no longer offers it
        schema.check_condition(member, allowed_values(option_lists()))
