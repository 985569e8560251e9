"""/api/v1/webhooks/: admins only; the secret once; the log with redeliver and test."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from helpdesk.outbound_webhooks.models import Delivery, Subscription
from tests import factories

pytestmark = [pytest.mark.django_db]

BASE = "/api/v1/webhooks"


def api(user: Any, scope: str = "admin") -> Client:
    token = factories.make_token(user, scope)
    return Client(headers={"Authorization": f"Bearer {token}"})


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(BASE + path, json.dumps(body), content_type="application/json")


def test_it_creates_a_subscription_showing_the_secret_once(admin_user: Any) -> None:
    client = api(admin_user)
    types = [t["type"] for t in client.get(f"{BASE}/event-types").json()]
    assert {"ticket.created", "ticket.updated", "message.created", "contact.created"} <= set(types)

    created = post(
        client,
        "/subscriptions",
        {"name": "Shop", "url": "https://shop.example/in", "event_types": ["ticket.created"]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    sub = Subscription.objects.get(pk=body["id"])
    assert sub.secrets.get().secret == body["secret"]
    shown = client.get(f"{BASE}/subscriptions/{sub.pk}").json()
    assert "secret" not in shown
    assert body["secret"] not in client.get(f"{BASE}/subscriptions").content.decode()

    rotated = post(client, f"/subscriptions/{sub.pk}/rotate-secret", {"grace_hours": 2})
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != body["secret"]
    assert sub.secrets.count() == 2
    assert sub.secrets.filter(expires_at__isnull=False).count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://2130706433/hook",  # 127.0.0.1 as one number
        "http://127.1/hook",
        "http://[/hook",
        "ftp://files.example/hook",
        "http://user:pw@shop.example/hook",
    ],
)
def test_it_refuses_targets_the_ssrf_rules_forbid(admin_user: Any, url: str) -> None:
    answer = post(
        api(admin_user),
        "/subscriptions",
        {"name": "x", "url": url, "event_types": ["ticket.created"]},
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["field"] == "url"
    assert not Subscription.objects.exists()


def test_it_refuses_non_admins_and_narrow_tokens(admin_user: Any, agent_a: Any) -> None:
    for client in (api(agent_a), api(admin_user, "tickets")):
        assert client.get(f"{BASE}/subscriptions").status_code == 403
        refused = post(
            client,
            "/subscriptions",
            {"name": "x", "url": "https://shop.example/in", "event_types": ["ticket.created"]},
        )
        assert refused.status_code == 403
    assert not Subscription.objects.exists()


def test_it_lists_the_log_in_constant_queries_and_redelivers(
    admin_user: Any, django_assert_max_num_queries: Any
) -> None:
    client = api(admin_user)
    sub_id = post(
        client,
        "/subscriptions",
        {"name": "Shop", "url": "https://shop.example/in", "event_types": ["ticket.created"]},
    ).json()["id"]
    for n in range(30):
        Delivery.objects.create(
            subscription_id=sub_id,
            event_type="ticket.created",
            body="{}",
            status="failed" if n % 3 else "succeeded",
            response_status=500 if n % 3 else 200,
        )
    with django_assert_max_num_queries(6):  # token, throttles, subscription, page
        page = client.get(f"{BASE}/subscriptions/{sub_id}/deliveries?limit=10&status=failed")
    assert page.status_code == 200
    items = page.json()["items"]
    assert len(items) == 10 and {i["status"] for i in items} == {"failed"}
    rest = client.get(
        f"{BASE}/subscriptions/{sub_id}/deliveries?limit=10&status=failed"
        f"&cursor={page.json()['next_cursor']}"
    ).json()["items"]
    assert len(rest) == 10 and rest[0]["id"] < items[-1]["id"]

    again = client.post(f"{BASE}/deliveries/{items[0]['id']}/redeliver")
    assert again.status_code == 202
    assert again.json()["delivery_id"] == items[0]["delivery_id"]
    assert again.json()["redelivery_of"] == items[0]["id"]
    assert again.json()["status"] == "pending"
    test = client.post(f"{BASE}/subscriptions/{sub_id}/test")
    assert test.status_code == 202 and test.json()["event_type"] == "webhook.test"
    detail = client.get(f"{BASE}/deliveries/{test.json()['id']}").json()
    assert json.loads(detail["body"])["type"] == "webhook.test"

    patched = client.patch(
        f"{BASE}/subscriptions/{sub_id}",
        json.dumps({"active": False, "url": "http://10.0.0.1/x"}),
        content_type="application/json",
    )
    assert patched.status_code == 422
    assert client.delete(f"{BASE}/subscriptions/{sub_id}").status_code == 204
    assert not Delivery.objects.exists()
