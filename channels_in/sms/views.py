"""The URLs providers call: received texts and delivery reports.

`/channels/sms/<inbox_id>/<secret>/inbound/` and `.../report/`: the secret in the
path authenticates (Kavenegar and most gateways can sign nothing and set no
header); it is compared in constant time, and an unknown inbox costs the same.
GET and POST are both accepted (providers differ). Bad bodies are 400, never 500.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_in.sms.models import SmsConfig
from channels_in.sms.parse import request_items
from channels_in.sms.providers import provider_for
from channels_in.sms.providers.base import BadPayload
from channels_in.sms.receive import apply_report, inbound_message, store_inbound

logger = logging.getLogger(__name__)


def authentic_config(inbox_id: int, secret: str) -> SmsConfig | None:
    """The inbox's SMS config when `secret` is its webhook secret (constant time)."""
    config = (
        SmsConfig.objects.select_related("inbox")
        .filter(inbox_id=inbox_id, inbox__enabled=True)
        .first()
    )
    expected = config.webhook_secret if config is not None else ""
    same = hmac.compare_digest(secret.encode(), (expected or "-").encode())
    return config if config is not None and expected and same else None


def _handle(
    request: HttpRequest,
    inbox_id: int,
    secret: str,
    kind: str,
    apply: Callable[[SmsConfig, list[dict[str, object]]], list[str]],
) -> HttpResponse:
    config = authentic_config(inbox_id, secret)
    if config is None:
        logger.warning(
            "sms %s webhook %s: refused a request without the right secret", kind, inbox_id
        )
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        outcomes = apply(config, request_items(request))
    except BadPayload as exc:
        logger.warning("sms %s webhook %s: refused a malformed body: %s", kind, inbox_id, exc)
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"ok": True, "outcomes": outcomes})


def _inbound(config: SmsConfig, items: list[dict[str, object]]) -> list[str]:
    provider = provider_for(config)
    # Everything is parsed and checked first: a bad item stores nothing of its batch.
    texts = [inbound_message(config, sms) for item in items for sms in provider.parse_inbound(item)]
    return [store_inbound(message) for message in texts]


def _reports(config: SmsConfig, items: list[dict[str, object]]) -> list[str]:
    provider = provider_for(config)
    reports = [r for item in items for r in provider.parse_report(item)]
    return [apply_report(config, report) for report in reports]


@csrf_exempt
@require_http_methods(["GET", "POST"])
def inbound(request: HttpRequest, inbox_id: int, secret: str) -> HttpResponse:
    """A received SMS (or a batch): stored once per provider message id."""
    return _handle(request, inbox_id, secret, "inbound", _inbound)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, inbox_id: int, secret: str) -> HttpResponse:
    """Delivery reports: each moves its text's status forward, never back."""
    return _handle(request, inbox_id, secret, "report", _reports)
