"""Deliveries to a real HTTP receiver on loopback: signed, retried, logged, disabled."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from helpdesk.actions.messages import do_add_note, do_reply
from helpdesk.actions.tickets import do_set_priority
from helpdesk.models import Inbox
from helpdesk.outbound_webhooks import actions
from helpdesk.outbound_webhooks.delivery import deliver
from helpdesk.outbound_webhooks.models import Delivery, DeliveryStatus, Subscription
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.outbound_webhooks.conftest import documented_verify, drain, make_due
from tests.helpdesk.outbound_webhooks.receiver import DROP, Answer, Receiver

pytestmark = [pytest.mark.django_db(transaction=True)]

type Subscribe = Callable[..., tuple[Subscription, str]]


def bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.received]


@pytest.mark.embedded
def test_it_delivers_signed_events_that_the_documented_recipe_verifies(
    subscribe: Subscribe, receiver: Receiver, email_inbox_a: Inbox
) -> None:
    _sub, secret = subscribe()
    ticket = open_ticket(email_inbox_a, subject="Order 1001", text="It arrived broken")
    drain()

    assert receiver.events() == ["contact.created", "ticket.created", "message.created"]
    verify = documented_verify()
    for request in receiver.received:
        assert request.headers["content-type"] == "application/json"
        assert verify(request.body, request.headers["x-helpdesk-signature"], secret)
        assert not verify(request.body + b" ", request.headers["x-helpdesk-signature"], secret)
        assert not verify(request.body, request.headers["x-helpdesk-signature"], "whsec_other")
    created, message = bodies(receiver)[1:]
    assert created["type"] == "ticket.created"
    assert created["event"]["type"] == "ticket.created"
    assert created["event"]["data"]["ticket_id"] == ticket.pk
    assert created["ticket"]["subject"] == "Order 1001"
    assert created["contact"]["id"] == ticket.contact_id
    assert message["message"]["direction"] == "inbound"
    assert message["message"]["visibility"] == "public"
    assert message["message"]["text"] == "It arrived broken"
    assert message["event"]["seq"] > created["event"]["seq"]
    ids = {r.headers["x-helpdesk-delivery"] for r in receiver.received}
    assert len(ids) == 3
    logged = Delivery.objects.get(event_type="ticket.created")
    assert (logged.status, logged.attempts, logged.response_status) == ("succeeded", 1, 200)
    assert logged.response_body == '{"ok":true}'
    assert logged.duration_ms is not None


def test_it_retries_after_a_500_a_dropped_connection_and_a_429_honouring_retry_after(
    subscribe: Subscribe, receiver: Receiver, email_inbox_a: Inbox, agent_a: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    subscribe(event_types=["ticket.updated"])
    receiver.plan = [
        Answer(500, body=b"x" * 5000),
        DROP,
        Answer(429, headers={"Retry-After": "600"}),
    ]
    do_set_priority(agent_a, ticket.pk, 3)
    drain()
    first = Delivery.objects.get()
    assert (first.status, first.attempts, first.response_status) == ("pending", 1, 500)
    assert first.response_body == "x" * 1024  # the first KB only
    assert first.next_attempt_at > timezone.now()
    make_due()
    drain()
    second = Delivery.objects.get()
    assert (second.status, second.attempts, second.response_status) == ("pending", 2, None)
    assert second.error.startswith("network error")
    make_due()
    before = timezone.now()
    drain()
    third = Delivery.objects.get()
    assert (third.status, third.attempts, third.response_status) == ("pending", 3, 429)
    wait = (third.next_attempt_at - before).total_seconds()
    assert 595 <= wait <= 610  # Retry-After, not the backoff's 40 s at most
    retry = DBTaskResult.objects.get(status="READY", task_path=deliver.module_path)
    assert abs((retry.run_after - third.next_attempt_at).total_seconds()) < 1
    drain()
    assert len(receiver.received) == 3  # nothing sent before its time
    make_due()
    drain()

    done = Delivery.objects.get()
    assert (done.status, done.attempts, done.response_status) == ("succeeded", 4, 200)
    assert len(receiver.received) == 4
    assert {r.headers["x-helpdesk-delivery"] for r in receiver.received} == {str(done.delivery_id)}
    assert len({r.body for r in receiver.received}) == 1
    assert bodies(receiver)[0]["changes"] == {"priority": {"from": 2, "to": 3}}


def test_it_fails_a_redirect_or_4xx_at_once_and_disables_the_subscription_after_n(
    subscribe: Subscribe, receiver: Receiver, email_inbox_a: Inbox, settings: Any, admin_user: Any
) -> None:
    settings.HELPDESK_WEBHOOK_DISABLE_AFTER = 2
    sub, _secret = subscribe(event_types=["ticket.created"])
    receiver.plan = [
        Answer(302, headers={"Location": "http://169.254.169.254/latest/"}),
        Answer(410),
    ]
    open_ticket(email_inbox_a, sender="a@example.com")
    open_ticket(email_inbox_a, sender="b@example.com")
    drain()

    failed = list(Delivery.objects.order_by("id"))
    assert [(d.status, d.attempts, d.response_status) for d in failed] == [
        ("failed", 1, 302),
        ("failed", 1, 410),
    ]
    assert "redirects are not followed" in failed[0].error
    assert len(receiver.received) == 2  # the redirect was not followed
    sub.refresh_from_db()
    assert not sub.active
    assert sub.disabled_reason == "2 deliveries in a row failed"
    from helpdesk.notifications.models import Notification

    told = Notification.objects.get(recipient=admin_user)
    assert told.kind == "webhook_disabled"
    # Off: later events are not even fanned out.
    open_ticket(email_inbox_a, sender="c@example.com")
    drain()
    assert Delivery.objects.count() == 2
    assert len(receiver.received) == 2


def test_it_applies_the_filters_and_sends_internal_notes_only_when_asked(
    subscribe: Subscribe,
    receiver: Receiver,
    email_inbox_a: Inbox,
    email_inbox_a2: Inbox,
    telegram_inbox_a: Inbox,
    team_b: Any,
    agent_a: Any,
) -> None:
    from tests import factories

    inbox_b = factories.make_inbox(team_b, "email", name="team b mail")
    subscribe(name="inbox", event_types=["ticket.created"], inbox_id=email_inbox_a2.pk)
    subscribe(name="team", event_types=["ticket.created"], team_id=team_b.pk)
    subscribe(name="channel", event_types=["ticket.created"], channel="telegram")
    subscribe(name="public", event_types=["message.created"], inbox_id=email_inbox_a.pk)
    subscribe(
        name="all",
        event_types=["message.created"],
        inbox_id=email_inbox_a.pk,
        include_internal_notes=True,
    )
    tickets = [
        open_ticket(inbox, sender=f"c{n}@example.com" if inbox.kind == "email" else f"{n}")
        for n, inbox in enumerate([email_inbox_a, email_inbox_a2, telegram_inbox_a, inbox_b])
    ]
    do_add_note(agent_a, tickets[0].pk, "internal: refund approved")
    do_reply(agent_a, tickets[0].pk, "We are sending a new one")
    drain()

    got = {
        name: list(
            Delivery.objects.filter(subscription__name=name).values_list(
                "event__ticket__inbox_id", flat=True
            )
        )
        for name in ("inbox", "team", "channel")
    }
    assert got == {
        "inbox": [email_inbox_a2.pk],
        "team": [inbox_b.pk],
        "channel": [telegram_inbox_a.pk],
    }
    seen = {
        name: [
            (m["direction"], m["visibility"])
            for m in (
                json.loads(b)["message"]
                for b in Delivery.objects.filter(subscription__name=name)
                .order_by("seq")
                .values_list("body", flat=True)
            )
        ]
        for name in ("public", "all")
    }
    assert seen == {
        "public": [("inbound", "public"), ("outbound", "public")],
        "all": [("inbound", "public"), ("note", "internal"), ("outbound", "public")],
    }


def test_it_signs_with_both_secrets_during_a_rotation_and_redelivers_a_test_event(
    subscribe: Subscribe, receiver: Receiver, email_inbox_a: Inbox, admin_user: Any
) -> None:
    verify = documented_verify()
    sub, old = subscribe(event_types=["ticket.created"], active=False)
    test = actions.do_send_test(admin_user, sub.pk)  # sent while the subscription is off
    drain()
    assert receiver.events() == ["webhook.test"]
    assert json.loads(receiver.received[0].body)["subscription"]["id"] == sub.pk
    assert verify(
        receiver.received[0].body, receiver.received[0].headers["x-helpdesk-signature"], old
    )
    again = actions.do_redeliver(admin_user, test.pk)
    drain()
    assert again.pk != test.pk
    assert Delivery.objects.get(pk=again.pk).status == DeliveryStatus.SUCCEEDED
    assert [r.headers["x-helpdesk-delivery"] for r in receiver.received] == [
        str(test.delivery_id)
    ] * 2

    actions.do_update_subscription(admin_user, sub.pk, {"active": True})
    new = actions.do_rotate_secret(admin_user, sub.pk, grace_hours=1)
    assert new != old
    open_ticket(email_inbox_a, sender="a@example.com")
    drain()
    during = receiver.received[2]
    assert during.headers["x-helpdesk-signature"].count("v1=") == 2
    assert verify(during.body, during.headers["x-helpdesk-signature"], old)
    assert verify(during.body, during.headers["x-helpdesk-signature"], new)

    sub.secrets.exclude(expires_at=None).update(expires_at=timezone.now() - timedelta(seconds=1))
    open_ticket(email_inbox_a, sender="b@example.com")
    drain()
    after = receiver.received[3]
    assert after.headers["x-helpdesk-signature"].count("v1=") == 1
    assert verify(after.body, after.headers["x-helpdesk-signature"], new)
    assert not verify(after.body, after.headers["x-helpdesk-signature"], old)


@pytest.mark.django_db
def test_it_prunes_old_log_rows_but_not_unfinished_ones(
    subscribe: Subscribe, email_inbox_a: Inbox, settings: Any
) -> None:
    from helpdesk.outbound_webhooks.delivery import prune

    sub, _ = subscribe()
    old = timezone.now() - timedelta(days=settings.HELPDESK_WEBHOOK_LOG_DAYS + 1)
    for status in ("succeeded", "failed", "pending"):
        Delivery.objects.create(
            subscription=sub, event_type="ticket.created", body="{}", status=status, created_at=old
        )
    Delivery.objects.create(
        subscription=sub, event_type="ticket.created", body="{}", status="succeeded"
    )
    assert prune(timezone.now()) == 2
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["pending", "succeeded"]
