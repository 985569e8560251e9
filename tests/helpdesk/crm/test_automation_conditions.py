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
