"""Who a widget visitor is: signed visitor tokens, site identity verification, origins."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core import signing

from channels_in.webchat.models import WebchatConfig, new_conversation_key

_TOKEN_SALT = "channels_in.webchat.visitor"  # noqa: S105 (a salt, not a secret)
_FILE_SALT = "channels_in.webchat.file"


@dataclass(frozen=True, slots=True)
class VisitorToken:
    """What a visitor token proves: this conversation key, in this inbox."""

    key: str
    inbox_id: int
    verified: bool = False

    def dumps(self) -> str:
        payload: dict[str, object] = {"k": self.key, "i": self.inbox_id}
        if self.verified:
            payload["v"] = 1
        return signing.dumps(payload, salt=_TOKEN_SALT)


def new_token(config: WebchatConfig) -> VisitorToken:
    """A token for a conversation that starts now (its row is created on first use)."""
    return VisitorToken(key=new_conversation_key(), inbox_id=config.inbox_id)


def read_token(raw: str, config: WebchatConfig) -> VisitorToken | None:
    """The token's content if our signature is valid and it belongs to this inbox."""
    try:
        payload = signing.loads(raw, salt=_TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("i") != config.inbox_id:
        return None
    key = payload.get("k")
    if not isinstance(key, str) or not key:
        return None
    return VisitorToken(key=key, inbox_id=config.inbox_id, verified=bool(payload.get("v")))


def user_hash(secret: str, user_id: str) -> str:
    """What the site computes: hex HMAC-SHA256 of the user id under the inbox secret."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def verify_user(config: WebchatConfig, user_id: str, given_hash: str) -> bool:
    """True if `given_hash` is the site's signature of `user_id` (constant-time compare)."""
    secret = config.identity_secret
    if not secret or not user_id or not given_hash:
        return False
    return hmac.compare_digest(user_hash(secret, user_id), given_hash.strip().lower())


def file_token(attachment_id: int) -> str:
    """A capability for one attachment: the URL a visitor's widget shows or links to."""
    return signing.dumps(attachment_id, salt=_FILE_SALT)


def read_file_token(raw: str) -> int | None:
    try:
        value = signing.loads(raw, salt=_FILE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def _host_port(scheme: str, netloc: str) -> tuple[str, int | None]:
    parsed = urlsplit(f"{scheme}://{netloc}")
    try:
        port = parsed.port
    except ValueError:
        port = None
    return (parsed.hostname or "").lower(), port


def origin_allowed(config: WebchatConfig, origin: str | None, host: str | None) -> bool:
    """May a page at `origin` use this inbox's widget? `host` is the request's Host header.

    The desk's own pages (same host as the request) are always allowed; other sites
    must be listed: an exact origin, a bare host (any scheme and port), or
    `*.example.com` for subdomains. A request without an Origin is refused.
    """
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin.lower())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return False
    if host and _host_port(parts.scheme, host.lower()) == _host_port(parts.scheme, parts.netloc):
        return True
    for pattern in config.origin_patterns():
        if "://" in pattern:
            if pattern == f"{parts.scheme}://{parts.netloc}":
                return True
        elif pattern.startswith("*."):
            suffix = pattern[1:]
            if parts.hostname.endswith(suffix) and len(parts.hostname) > len(suffix):
                return True
        elif parts.hostname == pattern:
            return True
    return False
