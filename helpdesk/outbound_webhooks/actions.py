"""Every change to webhook subscriptions and deliveries: admins only.

These touch no ticket, message or contact, so they record no desk event; they
validate (the SSRF rules on the target, known event types, existing filters),
change rows under a lock, and enqueue on commit.
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk import channels
from helpdesk.actions.common import Actor
from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.models import Inbox, Role, Team
from helpdesk.outbound_webhooks import catalog, guard, signing
from helpdesk.outbound_webhooks.delivery import deliver
from helpdesk.outbound_webhooks.dispatch import current_seq
from helpdesk.outbound_webhooks.models import (
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionSecret,
)
from helpdesk.staff.access import is_admin

logger = logging.getLogger(__name__)

EDITABLE = (
    "name",
    "url",
    "event_types",
    "team_id",
    "inbox_id",
    "channel",
    "include_internal_notes",
    "active",
)
TEST_EVENT = "webhook.test"


def check_admin(actor: Actor) -> None:
    if not is_admin(actor):
        raise Forbidden("only admins manage webhooks")


def check_target(url: str) -> None:
    """Refuse a target the SSRF rules refuse, as far as can be told without a DNS lookup
    (an address, `localhost`); names are resolved and checked before every POST."""
    if len(url) > 1000:
        raise Invalid("the target URL is too long", field="url")
    try:
        guard.check_url(url, resolver=_no_lookup)
    except guard.Refused as exc:
        raise Invalid(str(exc), field="url") from exc
    except guard.Unresolvable:
        pass  # a name: resolved and checked before every POST


def _no_lookup(host: str, _port: int) -> list[str]:
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return ["127.0.0.1"]
    try:  # the legacy IPv4 forms the resolver also accepts: 127.1, 0x7f000001, 2130706433
        return [socket.inet_ntoa(socket.inet_aton(name))]
    except OSError:
        return []


def check_event_types(types: Any) -> list[str]:
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise Invalid("choose at least one event type", field="event_types")
    available = {t.value for t in catalog.available_types()}
    unknown = sorted(set(types) - available)
    if unknown:
        raise Invalid(f"unknown event types: {', '.join(unknown)}", field="event_types")
    return sorted(set(types))


def _check(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(f"cannot change {sorted(unknown)}", field=sorted(unknown)[0])
    if "name" in changes and not str(changes["name"]).strip():
        raise Invalid("a name is required", field="name")
    if "url" in changes:
        check_target(str(changes["url"]))
    if "event_types" in changes:
        changes["event_types"] = check_event_types(changes["event_types"])
    if (
        changes.get("team_id") is not None
        and not Team.objects.filter(pk=changes["team_id"]).exists()
    ):
        raise Invalid("no such team", field="team_id")
    if (
        changes.get("inbox_id") is not None
        and not Inbox.objects.filter(pk=changes["inbox_id"]).exists()
    ):
        raise Invalid("no such inbox", field="inbox_id")
    channel = changes.get("channel")
    if channel and channel not in channels.kinds():
        raise Invalid(f"unknown channel {channel!r}", field="channel")
    return changes


def _new_secret(sub: Subscription, now: datetime) -> str:
    plain = signing.generate_secret()
    SubscriptionSecret.objects.create(
        subscription=sub, secret=plain, hint=plain[: len(signing.SECRET_PREFIX) + 4], created_at=now
    )
    return plain


def do_create_subscription(actor: Actor, data: dict[str, Any]) -> tuple[Subscription, str]:
    """A new subscription and its secret (returned once, never shown again). It receives
    the events recorded from now on."""
    check_admin(actor)
    fields = _check(dict(data))
    for required in ("name", "url", "event_types"):
        if required not in fields:
            raise Invalid(f"{required} is required", field=required)
    now = timezone.now()
    with transaction.atomic():
        sub = Subscription(created_by_id=actor.pk, created_at=now, updated_at=now, **fields)
        sub.cursor = current_seq()
        sub.save()
        return sub, _new_secret(sub, now)


def lock_subscription(actor: Actor, pk: int) -> Subscription:
    check_admin(actor)
    sub = Subscription.objects.select_for_update().filter(pk=pk).first()
    if sub is None:
        raise NotFound(f"webhook subscription {pk} not found")
    return sub


def do_update_subscription(actor: Actor, pk: int, changes: dict[str, Any]) -> Subscription:
    """Change a subscription. Turning it on again starts from the events recorded from
    then on, and resumes its pending deliveries."""
    check_admin(actor)
    changes = _check(dict(changes))
    with transaction.atomic():
        sub = lock_subscription(actor, pk)
        reactivated = changes.get("active") is True and not sub.active
        for key, value in changes.items():
            setattr(sub, key, value)
        sub.updated_at = timezone.now()
        if reactivated:
            sub.cursor = current_seq()
            sub.consecutive_failures = 0
            sub.disabled_reason = ""
            sub.disabled_at = None
        sub.save()
        if reactivated:
            transaction.on_commit(lambda: _resume(sub.pk), robust=True)
        return sub


def _resume(pk: int) -> None:
    firsts: dict[str, int] = {}
    pending = Delivery.objects.filter(subscription_id=pk, status=DeliveryStatus.PENDING)
    for key, delivery_pk in pending.order_by("seq", "id").values_list("order_key", "pk"):
        firsts.setdefault(key or str(delivery_pk), delivery_pk)
    for delivery_pk in firsts.values():
        deliver.enqueue(delivery_pk)


def do_delete_subscription(actor: Actor, pk: int) -> None:
    """Delete a subscription with its secrets and delivery log."""
    with transaction.atomic():
        lock_subscription(actor, pk).delete()


def do_rotate_secret(actor: Actor, pk: int, grace_hours: int | None = None) -> str:
    """A new secret (returned once); the current ones keep signing for `grace_hours`
    (HELPDESK_WEBHOOK_SECRET_GRACE_HOURS by default; 0 ends them now)."""
    hours = settings.HELPDESK_WEBHOOK_SECRET_GRACE_HOURS if grace_hours is None else grace_hours
    if hours < 0 or hours > 24 * 30:
        raise Invalid("the grace period is 0 to 720 hours", field="grace_hours")
    now = timezone.now()
    with transaction.atomic():
        sub = lock_subscription(actor, pk)
        ends = now + timedelta(hours=hours)
        sub.secrets.filter(expires_at__isnull=True).update(expires_at=ends)
        sub.secrets.filter(expires_at__gt=ends).update(expires_at=ends)
        return _new_secret(sub, now)


def do_send_test(actor: Actor, pk: int) -> Delivery:
    """Queue a `webhook.test` delivery (sent even while the subscription is off)."""
    now = timezone.now()
    with transaction.atomic():
        sub = lock_subscription(actor, pk)
        body = {
            "type": TEST_EVENT,
            "event": None,
            "subscription": {"id": sub.pk, "name": sub.name},
            "sent_at": now.isoformat(),
        }
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        d = Delivery.objects.create(
            subscription=sub, event_type=TEST_EVENT, body=text, is_test=True, created_at=now
        )
        transaction.on_commit(lambda: deliver.enqueue(d.pk), robust=True)
        return d


def do_redeliver(actor: Actor, delivery_pk: int) -> Delivery:
    """Send a delivery's body again: a new log row with the same X-Helpdesk-Delivery id
    (receivers that already have it can drop it); it waits for no other delivery."""
    check_admin(actor)
    now = timezone.now()
    with transaction.atomic():
        original = Delivery.objects.filter(pk=delivery_pk).first()
        if original is None:
            raise NotFound(f"webhook delivery {delivery_pk} not found")
        lock_subscription(actor, original.subscription_id)
        copy = Delivery.objects.create(
            subscription_id=original.subscription_id,
            delivery_id=original.delivery_id,
            event_id=original.event_id,
            seq=original.seq,
            event_type=original.event_type,
            body=original.body,
            is_test=original.is_test,
            redelivery_of=original,
            created_at=now,
        )
        transaction.on_commit(lambda: deliver.enqueue(copy.pk), robust=True)
        return copy


def disable_after_failures(sub: Subscription, now: datetime) -> None:
    """Turn the subscription off after too many failed deliveries, and tell the admins."""
    reason = f"{sub.consecutive_failures} deliveries in a row failed"
    Subscription.objects.filter(pk=sub.pk).update(
        active=False, disabled_reason=reason, disabled_at=now, updated_at=now
    )
    logger.warning("webhook subscription %s (%s) disabled: %s", sub.pk, sub.url, reason)
    _tell_admins(sub, reason)


def _tell_admins(sub: Subscription, reason: str) -> None:
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    admins = list(
        get_user_model()
        .objects.filter(is_active=True, agent__role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    if not apps.is_installed("helpdesk.notifications"):
        return  # the warning above is the admins' only notice
    from helpdesk.notifications.actions import notify

    url = reverse("admin:outbound_webhooks_subscription_change", args=[sub.pk])
    notify(
        admins,
        "webhook_disabled",
        # Callables: rendered in each admin's own language, not the worker's.
        title=lambda: _("Webhook “%(name)s” was turned off") % {"name": sub.name},
        body=lambda: (
            _("%(count)s deliveries in a row failed; the last error is in its delivery log.")
            % {"count": sub.consecutive_failures}
        ),
        url=url,
        dedupe_key=f"webhook-disabled:{sub.pk}:{sub.consecutive_failures}:{sub.updated_at:%s}",
    )
