"""`Idempotency-Key` for every POST of the JSON API (docs/api.md).

A client that timed out cannot know whether its request was applied; with a key
it can simply send it again. The request and the stored response commit in one
transaction with the action itself, so a key is either unused (nothing
happened: the retry acts) or answered (the retry gets the first response);
a crash in between leaves nothing half-done. A concurrent retry with the same
key waits on the key's unique index and then gets the stored response.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from helpdesk.api.auth import usable_token
from helpdesk.models import IdempotentRequest
from helpdesk.models.idempotency import KEEP_FOR

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Printable ASCII, not all spaces (the OpenAPI document declares the same pattern).
KEY_PATTERN = r"^[ -~]*[!-~][ -~]*$"
_KEY = re.compile(KEY_PATTERN)
API_PREFIX = "/api/v1/"


def _token_id(request: HttpRequest) -> int | None:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    # The same rule as the API's authentication: a token that would get 401 keeps no key.
    found = usable_token(raw.strip(), timezone.now())
    return found.pk if found is not None else None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotentRequest, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return JsonResponse(
            {"detail": f"this {HEADER} was used for another request", "field": HEADER},
            status=422,
        )
    response = HttpResponse(
        bytes(record.body), status=record.status_code or 200, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    """Applies `Idempotency-Key` to POSTs under /api/v1/ made with a bearer token."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH or not _KEY.match(key):
            return JsonResponse(
                {"detail": f"{HEADER} must be 1-{MAX_KEY_LENGTH} printable characters"},
                status=400,
            )
        token_id = _token_id(request)
        if token_id is None:
            return self.get_response(request)  # the API answers 401 itself
        return self._once(request, token_id, key, _fingerprint(request))

    def _once(self, request: HttpRequest, token_id: int, key: str, fp: str) -> HttpResponse:
        now = timezone.now()
        with transaction.atomic():
            IdempotentRequest.objects.filter(
                token_id=token_id, key=key, created_at__lt=now - KEEP_FOR
            ).delete()
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        token_id=token_id, key=key, fingerprint=fp, created_at=now
                    )
            except IntegrityError:
                existing = IdempotentRequest.objects.get(token_id=token_id, key=key)
                return _replay(existing, fp)
            response = self.get_response(request)
            if response.status_code >= 500 or getattr(response, "streaming", False):
                # Nothing is kept: the action (if any) rolls back and a retry acts again.
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.body = response.content
            record.save(update_fields=["status_code", "content_type", "body"])
            return response
