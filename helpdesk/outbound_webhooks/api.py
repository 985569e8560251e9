"""/api/v1/webhooks/: subscriptions, their delivery log, redeliver and test (admins)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import AuthorizationError
from pydantic import ConfigDict, Field

from helpdesk.actions.errors import NotFound
from helpdesk.api.auth import require_scope
from helpdesk.api.pagination import decode_id_cursor, encode_cursor, page_limit
from helpdesk.api.types import MAX_ID, CursorText, PageLimit, PathId
from helpdesk.models import TokenScope
from helpdesk.outbound_webhooks import actions, catalog
from helpdesk.outbound_webhooks.models import Delivery, DeliveryStatus, Subscription
from helpdesk.staff.access import is_admin

router = Router(tags=["webhooks"])

EventTypeName = str
StatusName = Literal["pending", "delivering", "succeeded", "failed"]


def _admin(request: HttpRequest) -> None:
    require_scope(request, TokenScope.ADMIN)
    if not is_admin(request.user):
        raise AuthorizationError(message="only admins manage webhooks")


class SubscriptionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, pattern=r"\S")
    url: str = Field(min_length=8, max_length=1000, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://")
    event_types: list[EventTypeName] = Field(min_length=1, max_length=20)
    team_id: int | None = Field(None, ge=1, le=MAX_ID)
    inbox_id: int | None = Field(None, ge=1, le=MAX_ID)
    channel: str = Field("", max_length=40)
    include_internal_notes: bool = False
    active: bool = True


class SubscriptionPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=120, pattern=r"\S")
    url: str | None = Field(
        None, min_length=8, max_length=1000, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://"
    )
    event_types: list[EventTypeName] | None = Field(None, min_length=1, max_length=20)
    team_id: int | None = Field(None, ge=1, le=MAX_ID)
    inbox_id: int | None = Field(None, ge=1, le=MAX_ID)
    channel: str | None = Field(None, max_length=40)
    include_internal_notes: bool | None = None
    active: bool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields sent; a null filter clears it, a null elsewhere changes nothing."""
        sent = self.model_dump(exclude_unset=True)
        filters = {"team_id", "inbox_id"}
        return {k: v for k, v in sent.items() if v is not None or k in filters}


class RotateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    grace_hours: int | None = Field(None, ge=0, le=720)


class SecretOut(Schema):
    secret: str


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    team_id: int | None
    inbox_id: int | None
    channel: str
    include_internal_notes: bool
    active: bool
    consecutive_failures: int
    disabled_reason: str
    created_at: Any
    updated_at: Any


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    delivery_id: str
    event_type: str
    seq: int | None
    status: str
    attempts: int
    next_attempt_at: Any
    last_attempt_at: Any
    duration_ms: int | None
    response_status: int | None
    response_body: str
    error: str
    is_test: bool
    redelivery_of: int | None
    created_at: Any
    finished_at: Any


class DeliveryDetailOut(DeliveryOut):
    body: str


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class EventTypeOut(Schema):
    type: str
    label: str


class DeliveryFilters(Schema):
    status: StatusName | None = None
    cursor: CursorText | None = None
    limit: PageLimit | None = None


def _sub_out(sub: Subscription) -> dict[str, Any]:
    return {
        "id": sub.pk,
        "name": sub.name,
        "url": sub.url,
        "event_types": list(sub.event_types),
        "team_id": sub.team_id,
        "inbox_id": sub.inbox_id,
        "channel": sub.channel,
        "include_internal_notes": sub.include_internal_notes,
        "active": sub.active,
        "consecutive_failures": sub.consecutive_failures,
        "disabled_reason": sub.disabled_reason,
        "created_at": sub.created_at,
        "updated_at": sub.updated_at,
    }


def _delivery_out(d: Delivery, *, body: bool = False) -> dict[str, Any]:
    out = {
        "id": d.pk,
        "subscription_id": d.subscription_id,
        "delivery_id": str(d.delivery_id),
        "event_type": d.event_type,
        "seq": d.seq,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at if d.status == DeliveryStatus.PENDING else None,
        "last_attempt_at": d.last_attempt_at,
        "duration_ms": d.duration_ms,
        "response_status": d.response_status,
        "response_body": d.response_body,
        "error": d.error,
        "is_test": d.is_test,
        "redelivery_of": d.redelivery_of_id,
        "created_at": d.created_at,
        "finished_at": d.finished_at,
    }
    if body:
        out["body"] = d.body
    return out


def _subscription(pk: int) -> Subscription:
    sub = Subscription.objects.filter(pk=pk).first()
    if sub is None:
        raise NotFound(f"webhook subscription {pk} not found")
    return sub


@router.get("/event-types", response=list[EventTypeOut], summary="Webhook event types")
def list_event_types(request: HttpRequest) -> Any:
    """The types a subscription may choose now (parts installed later add theirs)."""
    _admin(request)
    return [{"type": value, "label": label} for value, label in catalog.choices()]


@router.get("/subscriptions", response=list[SubscriptionOut], summary="List subscriptions")
def list_subscriptions(request: HttpRequest) -> Any:
    _admin(request)
    return [_sub_out(s) for s in Subscription.objects.order_by("id")[:500]]


@router.post(
    "/subscriptions", response={201: SubscriptionCreatedOut}, summary="Create a subscription"
)
def create_subscription(request: HttpRequest, payload: SubscriptionIn) -> Any:
    """The answer carries the signing `secret`: it is never shown again."""
    _admin(request)
    sub, secret = actions.do_create_subscription(request.user, payload.model_dump())
    return 201, {**_sub_out(sub), "secret": secret}


@router.get(
    "/subscriptions/{subscription_id}", response=SubscriptionOut, summary="One subscription"
)
def get_subscription(request: HttpRequest, subscription_id: PathId) -> Any:
    _admin(request)
    return _sub_out(_subscription(subscription_id))


@router.patch(
    "/subscriptions/{subscription_id}", response=SubscriptionOut, summary="Change a subscription"
)
def update_subscription(
    request: HttpRequest, subscription_id: PathId, payload: SubscriptionPatch
) -> Any:
    _admin(request)
    return _sub_out(
        actions.do_update_subscription(request.user, subscription_id, payload.changes())
    )


@router.delete(
    "/subscriptions/{subscription_id}", response={204: None}, summary="Delete a subscription"
)
def delete_subscription(request: HttpRequest, subscription_id: PathId) -> Any:
    _admin(request)
    actions.do_delete_subscription(request.user, subscription_id)
    return 204, None


@router.post(
    "/subscriptions/{subscription_id}/rotate-secret",
    response=SecretOut,
    summary="Rotate the signing secret",
)
def rotate_secret(request: HttpRequest, subscription_id: PathId, payload: RotateIn) -> Any:
    """A new secret (shown once); the current ones sign `grace_hours` more."""
    _admin(request)
    return {"secret": actions.do_rotate_secret(request.user, subscription_id, payload.grace_hours)}


@router.post(
    "/subscriptions/{subscription_id}/test",
    response={202: DeliveryOut},
    summary="Send a test event",
)
def send_test(request: HttpRequest, subscription_id: PathId) -> Any:
    _admin(request)
    return 202, _delivery_out(actions.do_send_test(request.user, subscription_id))


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    response=DeliveryPage,
    summary="A subscription's delivery log",
)
def list_deliveries(
    request: HttpRequest, subscription_id: PathId, filters: Query[DeliveryFilters]
) -> Any:
    """Newest first, keyset-paginated; `status` filters."""
    _admin(request)
    _subscription(subscription_id)
    limit = page_limit(filters.limit)
    qs = Delivery.objects.filter(subscription_id=subscription_id).defer("body")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.cursor:
        qs = qs.filter(id__lt=decode_id_cursor(filters.cursor))
    rows = list(qs.order_by("-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return {"items": [_delivery_out(d) for d in rows[:limit]], "next_cursor": next_cursor}


@router.get("/deliveries/{delivery_id}", response=DeliveryDetailOut, summary="One delivery")
def get_delivery(request: HttpRequest, delivery_id: PathId) -> Any:
    """With the body that was (or will be) sent."""
    _admin(request)
    d = Delivery.objects.filter(pk=delivery_id).first()
    if d is None:
        raise NotFound(f"webhook delivery {delivery_id} not found")
    return _delivery_out(d, body=True)


@router.post(
    "/deliveries/{delivery_id}/redeliver", response={202: DeliveryOut}, summary="Redeliver"
)
def redeliver(request: HttpRequest, delivery_id: PathId) -> Any:
    """Send the stored body again (same X-Helpdesk-Delivery id, a new log row)."""
    _admin(request)
    return 202, _delivery_out(actions.do_redeliver(request.user, delivery_id))
