"""The admin pages: a subscription created with its secret shown once, the log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from helpdesk.outbound_webhooks.models import Delivery, Subscription

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def staff(admin_user: Any) -> Client:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    return client


def test_it_creates_a_subscription_without_json_and_shows_the_secret_once(
    staff: Client, team_a: Any, django_assert_max_num_queries: Any
) -> None:
    add = reverse("admin:outbound_webhooks_subscription_add")
    page = staff.get(add)
    assert page.status_code == 200
    assert b'value="ticket.updated"' in page.content  # event types as checkboxes
    refused = staff.post(
        add, {"name": "x", "url": "http://169.254.169.254/", "event_types": ["ticket.created"]}
    )
    assert refused.status_code == 200 and b"HELPDESK_WEBHOOK_ALLOWED_HOSTS" in refused.content
    answer = staff.post(
        add,
        {
            "name": "Shop",
            "url": "https://shop.example/in",
            "active": "on",
            "event_types": ["ticket.created", "message.created"],
            "team": team_a.pk,
        },
    )
    assert answer.status_code == 302
    sub = Subscription.objects.get()
    assert sub.event_types == ["message.created", "ticket.created"] and sub.team_id == team_a.pk
    secret = sub.secrets.get().secret
    shown = [str(m) for m in get_messages(answer.wsgi_request)]
    assert any(secret in m for m in shown)
    change = reverse("admin:outbound_webhooks_subscription_change", args=[sub.pk])
    assert secret in staff.get(change).content.decode()  # the message, once
    assert secret not in staff.get(change).content.decode()

    for _n in range(20):
        Delivery.objects.create(subscription=sub, event_type="ticket.created", body="{}")
    log = reverse("admin:outbound_webhooks_delivery_changelist")
    with django_assert_max_num_queries(12):
        listed = staff.get(f"{log}?subscription__id__exact={sub.pk}")
    assert listed.status_code == 200 and listed.content.count(b"ticket.created") >= 20
