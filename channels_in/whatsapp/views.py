"""The webhook Meta calls: GET /channels/whatsapp/webhook/ (verification) and POST (events).

One URL for every number: a Meta app has one callback URL, and the body says which
number (metadata.phone_number_id) each change is for. Every POST must carry
X-Hub-Signature-256, the HMAC-SHA256 of the raw body under the app secret of the
numbers it speaks for; anything else is 403 and nothing is read.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_in.whatsapp.models import WhatsAppConfig
from channels_in.whatsapp.parse import MalformedWebhook, parse_webhook
from channels_in.whatsapp.receive import apply_batch
from helpdesk.webhooks import BadBody, load_json

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"


def _signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _configs() -> list[WhatsAppConfig]:
    return list(WhatsAppConfig.objects.filter(inbox__enabled=True))


def _verify(request: HttpRequest) -> HttpResponse:
    """Meta's subscription check: echo hub.challenge when hub.verify_token is one of ours."""
    mode = request.GET.get("hub.mode", "")
    given = request.GET.get("hub.verify_token", "").encode()
    challenge = request.GET.get("hub.challenge", "")
    matched = False
    for config in _configs():  # every one compared, so timing tells nothing
        matched |= hmac.compare_digest(given, str(config.verify_token).encode())
    if mode != "subscribe" or not matched or not challenge or len(challenge) > 200:
        logger.warning("whatsapp webhook: refused a verification request")
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    return HttpResponse(challenge, content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    """GET: subscription check. POST: signature, strict parse, store each message once."""
    if request.method == "GET":
        return _verify(request)
    given = request.headers.get(SIGNATURE_HEADER, "").encode()
    body = request.body
    configs = _configs()
    signed_by = {
        config.phone_number_id: config.inbox_id
        for config in configs
        # A number without an app secret (not set up yet) is never signed for:
        # an HMAC under an empty key is no secret.
        if config.app_secret
        and hmac.compare_digest(given, _signature(str(config.app_secret), body).encode())
    }
    if not given or not signed_by:
        logger.warning("whatsapp webhook: refused a request without a valid signature")
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        # Only numbers whose app secret signed this body are read: another app's
        # secret cannot speak for them.
        batch = parse_webhook(load_json(body), signed_by)
    except (BadBody, MalformedWebhook) as exc:
        logger.warning("whatsapp webhook: refused a malformed body: %s", exc)
        return JsonResponse({"error": str(exc)}, status=400)
    counts = apply_batch(batch)
    logger.debug("whatsapp webhook: %s", counts)
    return JsonResponse({"ok": True, **counts})
