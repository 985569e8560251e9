"""The webhook Telegram calls: POST /channels/telegram/<inbox_id>/webhook/."""

from __future__ import annotations

import hmac
import logging

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_in.telegram.handler import handle_update
from channels_in.telegram.models import TelegramConfig
from channels_in.telegram.shape import MalformedUpdate, load_update
from helpdesk.webhooks import BadBody, load_json

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


def _authentic(config: TelegramConfig | None, given: str) -> bool:
    expected = config.webhook_secret if config is not None else ""
    # Compare even when there is no config, so timing does not tell which inboxes exist.
    same = hmac.compare_digest(given.encode(), (expected or "-").encode())
    return config is not None and bool(expected) and same


@csrf_exempt
@require_POST
async def webhook(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """Authenticate by Telegram's secret_token header, parse strictly, store, answer."""
    config = await (
        TelegramConfig.objects.select_related("inbox")
        .filter(inbox_id=inbox_id, inbox__enabled=True)
        .afirst()
    )
    if not _authentic(config, request.headers.get(SECRET_HEADER, "")):
        logger.warning("telegram webhook %s: refused a request without the right secret", inbox_id)
        return JsonResponse({"error": "forbidden"}, status=403)
    assert config is not None  # noqa: S101 - _authentic checked it
    try:
        update = load_update(load_json(request.body))
        outcome = await sync_to_async(handle_update)(config, update)
    except (BadBody, MalformedUpdate) as exc:
        # Telegram never sends these; whoever does learns why, and nothing is stored
        # (handle_update parses before its transaction starts).
        logger.warning("telegram webhook %s: refused a malformed update: %s", inbox_id, exc)
        return JsonResponse({"error": str(exc)}, status=400)
    logger.debug("telegram webhook %s: update %s %s", inbox_id, update.update_id, outcome)
    return JsonResponse({"ok": True, "outcome": outcome})
