"""The webhook Telegram calls: POST /channels/telegram/<inbox_id>/webhook/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_in.telegram.channel import PROFILE
from channels_in.telegram.handler import handle_update
from helpdesk.channel_kit.botapi.webhook import authentic, receive_update

_authentic = authentic  # the constant-time check, kept under its old name for the tests
SECRET_HEADER = PROFILE.secret_header or ""


@csrf_exempt
@require_POST
async def webhook(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """Authenticate by Telegram's secret_token header, parse strictly, store, answer."""
    given = request.headers.get(SECRET_HEADER, "")
    return await receive_update(PROFILE, request, inbox_id, given, handle_update)
