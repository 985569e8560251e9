"""HTTP side of the live chat: widget assets, chat pages, settings, uploads, files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from channels_in.webchat import limits, live, texts
from channels_in.webchat.channel import KIND
from channels_in.webchat.conversations import get_config, receive_from_visitor
from channels_in.webchat.models import WebchatConfig
from channels_in.webchat.parse import FrameError, parse_upload
from channels_in.webchat.visitor import origin_allowed, read_file_token, read_token
from helpdesk import events
from helpdesk.attachment_files import file_response
from helpdesk.inbound import InboundAttachment
from helpdesk.models import Attachment, Direction

_STATIC = Path(__file__).resolve().parent / "static" / "webchat"
_ASSET_TYPES = {
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
}
_FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small form fields


@cache
def _asset(name: str) -> bytes:
    return (_STATIC / name).read_bytes()


@require_GET
def asset(request: HttpRequest, name: str) -> HttpResponse:
    """The widget's script and styles, loadable from any site (they hold no data)."""
    if name not in _ASSET_TYPES:
        raise Http404
    response = HttpResponse(_asset(name), content_type=_ASSET_TYPES[name])
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _config_or_404(public_key: str) -> WebchatConfig:
    config = get_config(public_key)
    if config is None:
        raise Http404
    return config


def _allow_origin(
    response: HttpResponse, request: HttpRequest, config: WebchatConfig
) -> HttpResponse:
    """Let the page read the answer only if its origin is on the inbox's allow-list.

    Echoing any Origin would let every site read the widget's answers; a refused
    origin gets no Access-Control-Allow-Origin at all.
    """
    response["Vary"] = "Origin"
    origin = request.headers.get("Origin")
    if origin and origin_allowed(config, origin, request.get_host()):
        response["Access-Control-Allow-Origin"] = origin
    return response


def _json_error(
    request: HttpRequest, config: WebchatConfig, code: str, message: str, status: int
) -> HttpResponse:
    body = JsonResponse({"error": code, "message": message}, status=status)
    return _allow_origin(body, request, config)


def _origin_refused() -> HttpResponse:
    body = {"error": "origin_refused", "message": "this site may not use this chat"}
    response = JsonResponse(body, status=403)
    response["Vary"] = "Origin"
    return response


def _limited(request: HttpRequest, config: WebchatConfig, refusal: limits.Limited) -> HttpResponse:
    body = {"error": refusal.code, "message": refusal.message, "retry_after": refusal.retry_after}
    response = _allow_origin(JsonResponse(body, status=429), request, config)
    response["Retry-After"] = str(refusal.retry_after)
    return response


@require_GET
def page(request: HttpRequest, public_key: str) -> HttpResponse:
    """The standalone chat page of one inbox (a link to share, no website needed)."""
    config = _config_or_404(public_key)
    language = texts.widget_language(config, request.GET.get("lang") or request.LANGUAGE_CODE)
    with translation.override(language):
        return render(
            request,
            "webchat/page.html",
            {"config": config, "settings": texts.widget_settings(config, language)},
        )


@require_GET
def demo(request: HttpRequest) -> HttpResponse:
    """A pretend customer site with the widget embedded, for the first live-chat inbox."""
    config = (
        WebchatConfig.objects.select_related("inbox")
        .filter(inbox__kind=KIND, inbox__enabled=True)
        .order_by("inbox_id")
        .first()
    )
    language = "fa" if request.GET.get("lang") == "fa" else "en"
    context = {
        "config": config,
        "language": language,
        "dir": "rtl" if language == "fa" else "ltr",
        "script_url": request.build_absolute_uri(reverse("webchat:asset", args=["widget.js"])),
    }
    # The page's own words follow ?lang too, not only its direction (the widget reads <html lang>).
    with translation.override(language):
        return render(request, "webchat/demo.html", context, status=200 if config else 404)


@require_GET
def widget_settings(request: HttpRequest, public_key: str) -> HttpResponse:
    """Texts and limits for the widget; refused on sites the inbox does not list."""
    config = _config_or_404(public_key)
    origin = request.headers.get("Origin")
    # Browsers send no Origin on a same-origin GET: that is the desk's own page.
    if origin is not None and not origin_allowed(config, origin, request.get_host()):
        return _origin_refused()
    language = texts.widget_language(config, request.GET.get("lang"))
    return _allow_origin(JsonResponse(texts.widget_settings(config, language)), request, config)


@csrf_exempt  # no cookies are involved: the visitor token in the form authenticates
@require_POST
def upload(request: HttpRequest, public_key: str) -> HttpResponse:
    """An attachment from the visitor, posted with their token; becomes one message."""
    config = _config_or_404(public_key)
    if not origin_allowed(config, request.headers.get("Origin"), request.get_host()):
        return _origin_refused()
    limit = config.attachment_limit()
    too_large = _("The file is larger than the %(limit)s limit.") % {"limit": _size(limit)}
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + _FORM_OVERHEAD:
        return _json_error(request, config, "too_large", too_large, 413)
    client_ip = request.META.get("REMOTE_ADDR")
    try:  # counted before the body is parsed: a flood costs no multipart parsing
        limits.check_upload(config.inbox_id, client_ip)
    except limits.Limited as refusal:
        return _limited(request, config, refusal)
    try:
        form = parse_upload({k: str(request.POST.get(k, "")) for k in request.POST})
    except FrameError as exc:
        return _json_error(request, config, exc.code, exc.message, 400)
    token = read_token(form.token, config)
    if token is None:
        return _json_error(request, config, "bad_token", "this visitor token is not valid", 403)
    upload = request.FILES.get("file")
    if upload is None:
        return _json_error(request, config, "bad_request", "file: a file is required", 400)
    if upload.size is None or upload.size > limit:
        return _json_error(request, config, "too_large", too_large, 413)
    wait = live.allow_message(token.key, config.rate_limit_per_minute)
    if wait:
        return _json_error(request, config, "rate_limited", "too many messages, wait a moment", 429)
    attachment = InboundAttachment(
        name=(upload.name or "file")[:255],
        content_type=upload.content_type or "application/octet-stream",
        data=upload.read(),
    )
    try:
        received = receive_from_visitor(
            config,
            token,
            client_id=form.client_id,
            text=form.text,
            files=(attachment,),
            client_ip=client_ip,
        )
    except limits.Limited as refusal:  # a new visitor's first message is this file
        return _limited(request, config, refusal)
    if received.created:
        events.publish([live.chat_group(token.key)], {"type": "message", "message": received.frame})
    body = {
        "type": "ack",
        "client_id": form.client_id,
        "message_id": received.frame["id"],
        "status": "sent",
        "duplicate": not received.created,
        "message": received.frame,
    }
    return _allow_origin(JsonResponse(body), request, config)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.0f} MB"
    return f"{max(limit // 1024, 1)} KB"


@require_GET
def attachment(request: HttpRequest, signed: str) -> HttpResponseBase:
    """One attachment of a chat message, by its signed capability URL.

    Images of a few safe types are shown inline; everything else downloads, so a
    visitor's HTML or SVG file can never run on the desk's origin.
    """
    attachment_id = read_file_token(signed)
    if attachment_id is None:
        raise Http404
    found = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    if found is None or found.message.direction == Direction.NOTE:
        raise Http404
    response = file_response(found)
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
