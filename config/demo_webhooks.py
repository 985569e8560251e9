"""The demo's outbound webhook: a paused subscription to an example shop, with a
delivery log built from the demo's own events (the bodies are real; the answers
are sample ones, since shop.example does not exist). Runs inside seed's transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from helpdesk.outbound_webhooks import actions
from helpdesk.outbound_webhooks.dispatch import fan_out_batch
from helpdesk.outbound_webhooks.models import Delivery, DeliveryStatus, Subscription

OK_BODY = '{"received": true}'


def seed_webhooks(admin: Any) -> Subscription:
    """A subscription (turned off: its target is an example) and its delivery log."""
    sub, _secret = actions.do_create_subscription(
        admin,
        {
            "name": "Shop orders (example) · فروشگاه",
            "url": "https://shop.example/hooks/helpdesk",
            "event_types": ["ticket.created", "ticket.updated", "message.created"],
        },
    )
    # The demo's whole history goes through the real fan-out (bodies as sent).
    Subscription.objects.filter(pk=sub.pk).update(cursor=0)
    fan_out_batch()
    now = timezone.now()
    rows = list(Delivery.objects.filter(subscription=sub).order_by("seq"))
    for n, d in enumerate(rows):
        d.attempts, d.response_status, d.response_body = 1, 200, OK_BODY
        d.status = DeliveryStatus.SUCCEEDED
        d.duration_ms = 80 + (n * 37) % 120
        d.last_attempt_at = d.finished_at = now - timedelta(minutes=len(rows) - n)
        if n == 2:  # the shop was briefly down: a retry went through
            d.attempts = 2
        if n == len(rows) - 1:  # the shop refused the last one for good
            d.status, d.response_status = DeliveryStatus.FAILED, 410
            d.response_body, d.error = '{"error": "endpoint retired"}', "HTTP 410"
    Delivery.objects.bulk_update(
        rows,
        [
            "status",
            "attempts",
            "response_status",
            "response_body",
            "error",
            "duration_ms",
            "last_attempt_at",
            "finished_at",
        ],
    )
    actions.do_update_subscription(admin, sub.pk, {"active": False})
    return sub
