"""Bearer-token authentication with per-agent tokens stored hashed, scopes and rate limits.

A token works while it is neither revoked nor expired and its user is active and
has an agent profile (a live token of a user without one gets 403, the refusal
every agent page gives such a user). Its scope is enforced here for reads and writes (a `read`
token is refused every write with 403) and per route with `require_scope`
(the merges need `admin`). See docs/security.md.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthorizationError, Throttled
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from helpdesk.models import ApiToken, TokenScope, hash_token
from helpdesk.staff.access import agent_of
from helpdesk.staff.decorators import NO_PROFILE_DETAIL
from helpdesk.staff.tokens import scope_allows

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class _SettingsRateThrottle(SimpleRateThrottle):
    """django-ninja's cache-based throttle with its rate read from a setting per request.

    The rate is not frozen when the API module is imported (settings are read at run
    time, so tests and a reconfigured process see the current value); empty is off.
    """

    setting = ""

    def __init__(self) -> None:  # the rate comes from settings at request time
        self.rate = None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting, "") or None
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def retry_after(self) -> int:
        """Whole seconds until the oldest counted request leaves the window (at least 1)."""
        oldest = self.history[-1] if self.history else self.now
        return max(1, math.ceil((self.duration or 1) - (self.now - oldest)))

    def wait(self) -> float | None:
        return float(self.retry_after())


class IpRateThrottle(_SettingsRateThrottle):
    """Every request from one client address, with a token or without, good or bad."""

    scope = "ip"
    setting = "HELPDESK_API_RATE_PER_IP"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AnonIpRateThrottle(IpRateThrottle):
    """The per-address limit on routes without a token (TokenAuth counts the others)."""

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if getattr(request, "auth", None) is not None:
            return None
        return super().get_cache_key(request)


class TokenRateThrottle(_SettingsRateThrottle):
    """Requests made with one token (keyed by its hash, never the token itself)."""

    scope = "token"
    setting = "HELPDESK_API_RATE_PER_TOKEN"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "api_token", None)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.token_hash[:32]}


def _live_token(raw: str, now: datetime) -> ApiToken | None:
    """The token `raw` if it is neither revoked nor expired and its user is active."""
    found = (
        ApiToken.objects.select_related("user", "user__agent")
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    return found if found is not None and found.is_usable(now) else None


def usable_token(raw: str, now: datetime) -> ApiToken | None:
    """The token `raw` if it works now: not revoked or expired, its user an active agent."""
    found = _live_token(raw, now)
    return found if found is not None and agent_of(found.user) is not None else None


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        # Counted before the token is looked up, so guessing tokens is throttled too.
        limiter = IpRateThrottle()
        if not limiter.allow_request(request):
            raise Throttled(wait=limiter.retry_after())
        # django-ninja's own __call__ logs the whole header under DEBUG when the scheme
        # is not "Bearer": a credential in a log line. Parse it here, quietly.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        found = _live_token(token, now)
        if found is None:
            return None
        if agent_of(found.user) is None:
            # The same refusal as every agent page: signed in, but not an agent.
            raise AuthorizationError(message=NO_PROFILE_DETAIL)
        if request.method not in _SAFE_METHODS and found.scope == TokenScope.READ:
            raise AuthorizationError(message="this token is read-only")
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


def require_scope(request: HttpRequest, needed: str) -> None:
    """Refuse (403) a token whose scope is below what this route needs."""
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is None or not scope_allows(token.scope, needed):
        raise AuthorizationError(message=f"this token's scope does not allow this (needs {needed})")
