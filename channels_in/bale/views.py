"""The webhook Bale calls: POST /channels/bale/<inbox_id>/webhook/<secret>/.

Bale sends no secret header, so the unguessable secret (64 URL-safe characters,
stored encrypted) is the last path segment, compared in constant time.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_in.bale.channel import PROFILE
from channels_in.bale.handler import handle_update
from helpdesk.channel_kit.botapi.webhook import receive_update


@csrf_exempt
@require_POST
async def webhook(request: HttpRequest, inbox_id: int, secret: str) -> HttpResponse:
    """Authenticate by the secret in the path, parse strictly, store, answer."""
    return await receive_update(PROFILE, request, inbox_id, secret, handle_update)
