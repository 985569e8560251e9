"""The webhook a Bot API service calls: authenticate, parse strictly, store, answer.

Telegram echoes setWebhook's secret_token in a header; a service that does not
(Bale) gets the secret as the last path segment instead. Either way the secret
is compared in constant time, also when the inbox does not exist, so timing does
not tell which inboxes exist.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse
from telegram import Update

from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.channel_kit.botapi.shape import MalformedUpdate, load_update
from helpdesk.webhooks import BadBody, load_json

logger = logging.getLogger(__name__)

type Handle = Callable[[Any, Update], str]
type WebhookView = Callable[..., Awaitable[HttpResponse]]


def authentic(config: Any, given: str) -> bool:
    """Does `given` match the config's stored webhook secret (constant time)?"""
    expected = str(config.webhook_secret or "") if config is not None else ""
    same = hmac.compare_digest(given.encode(), (expected or "-").encode())
    return config is not None and bool(expected) and same


async def receive_update(
    profile: BotApiProfile, request: HttpRequest, inbox_id: int, given: str, handle: Handle
) -> HttpResponse:
    """The body of a channel's webhook view once it has read the secret it was `given`."""
    config = await (
        profile.model("config")
        .objects.select_related("inbox")
        .filter(inbox_id=inbox_id, inbox__enabled=True)
        .afirst()
    )
    if not authentic(config, given):
        logger.warning(
            "%s webhook %s: refused a request without the right secret", profile.kind, inbox_id
        )
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        update = load_update(load_json(request.body), profile.service)
        outcome = await sync_to_async(handle)(config, update)
    except (BadBody, MalformedUpdate) as exc:
        # The service never sends these; whoever does learns why, and nothing is
        # stored (the handler parses before its transaction starts).
        logger.warning("%s webhook %s: refused a malformed update: %s", profile.kind, inbox_id, exc)
        return JsonResponse({"error": str(exc)}, status=400)
    logger.debug("%s webhook %s: update %s %s", profile.kind, inbox_id, update.update_id, outcome)
    return JsonResponse({"ok": True, "outcome": outcome})
