"""The fan-out and the sweep on their own: contact events, the cursor, lost tasks."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from helpdesk.actions.contact_create import do_create_contact
from helpdesk.actions.contacts import do_update_contact
from helpdesk.models import Inbox
from helpdesk.outbound_webhooks.delivery import deliver, sweep
from helpdesk.outbound_webhooks.dispatch import fan_out_batch
from helpdesk.outbound_webhooks.models import Delivery
from tests import factories
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = [pytest.mark.django_db]

CONTACT_TYPES = ["contact.created", "contact.updated"]


def test_it_sends_a_contact_change_once_though_it_is_recorded_per_team(
    subscribe: Any, admin_user: Any, email_inbox_a: Inbox, team_b: Any
) -> None:
    inbox_b = factories.make_inbox(team_b, "email", name="b")
    ticket = open_ticket(email_inbox_a, sender="ali@example.com")
    open_ticket(inbox_b, sender="ali@example.com")
    everyone, _ = subscribe(name="all", event_types=CONTACT_TYPES)
    only_b, _ = subscribe(name="b", event_types=CONTACT_TYPES, team_id=team_b.pk)
    do_update_contact(admin_user, ticket.contact_id, {"name": "Ali Rezaei"})
    by_hand = do_create_contact(admin_user, name="Sara", identities=[("email", "sara@example.com")])
    fan_out_batch()

    sent = {
        sub.name: [
            (d.event_type, json.loads(d.body)["contact"]["id"], d.order_key)
            for d in Delivery.objects.filter(subscription=sub).order_by("seq")
        ]
        for sub in (everyone, only_b)
    }
    contact = f"contact:{ticket.contact_id}"
    assert sent == {
        "all": [
            ("contact.updated", ticket.contact_id, contact),
            ("contact.created", by_hand.pk, f"contact:{by_hand.pk}"),
        ],
        "b": [("contact.updated", ticket.contact_id, contact)],
    }
    body = json.loads(Delivery.objects.filter(subscription=everyone).order_by("seq").first().body)  # type: ignore[union-attr]
    assert body["ticket"] is None and body["contact"]["name"] == "Ali Rezaei"
    assert body["event"]["data"]["fields"] == ["name"]
    fan_out_batch()  # the cursor moved: nothing twice
    assert Delivery.objects.count() == 3


def test_the_sweep_requeues_a_lost_delivery_and_an_expired_lease_only(subscribe: Any) -> None:
    sub, _ = subscribe(event_types=["ticket.created"])
    long_ago = timezone.now() - timedelta(minutes=10)
    lost = Delivery.objects.create(
        subscription=sub,
        event_type="ticket.created",
        body="{}",
        order_key="ticket:1",
        seq=1,
        next_attempt_at=long_ago,
    )
    Delivery.objects.create(  # waits behind `lost`: not enqueued on its own
        subscription=sub,
        event_type="ticket.created",
        body="{}",
        order_key="ticket:1",
        seq=2,
        next_attempt_at=long_ago,
    )
    stale = Delivery.objects.create(
        subscription=sub,
        event_type="ticket.created",
        body="{}",
        order_key="ticket:2",
        seq=3,
        status="delivering",
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    Delivery.objects.create(  # in flight, lease running
        subscription=sub,
        event_type="ticket.created",
        body="{}",
        order_key="ticket:3",
        seq=4,
        status="delivering",
        lease_until=timezone.now() + timedelta(seconds=50),
    )
    Delivery.objects.create(  # a retry that is not due yet
        subscription=sub,
        event_type="ticket.created",
        body="{}",
        order_key="ticket:4",
        seq=5,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    assert sweep(timezone.now()) == 2
    queued = DBTaskResult.objects.filter(task_path=deliver.module_path)
    assert sorted(t["args"][0] for t in queued.values_list("args_kwargs", flat=True)) == sorted(
        [lost.pk, stale.pk]
    )


def test_it_passes_the_installed_parts_events_through_with_their_ticket(
    subscribe: Any, email_inbox_a: Inbox
) -> None:
    from helpdesk.models import TicketEvent

    ticket = open_ticket(email_inbox_a)
    sub, _ = subscribe(event_types=["sla.breached", "call.ended", "survey.answered"])
    for type_ in ("sla.breached", "call.ended", "ticket.merged"):
        TicketEvent.objects.create(
            ticket=ticket,
            team_id=ticket.team_id,
            type=type_,
            payload={"ticket_id": ticket.pk},
            created_at=timezone.now(),
        )
    fan_out_batch()
    sent = [json.loads(b) for b in sub.deliveries.order_by("seq").values_list("body", flat=True)]
    assert [(b["type"], b["ticket"]["id"]) for b in sent] == [
        ("sla.breached", ticket.pk),
        ("call.ended", ticket.pk),
    ]
