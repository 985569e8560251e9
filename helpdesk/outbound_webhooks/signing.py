"""Secrets and the signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]`.

The signed string is `"<t>.<raw body>"`; during a secret's rotation every secret
still valid signs, one `v1=` each, so receivers can switch at their own pace.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that marks secrets, not one
TOLERANCE_SECONDS = 300


def generate_secret() -> str:
    """A new signing secret (shown once; stored encrypted)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secrets_: Iterable[str], timestamp: int) -> str:
    """The X-Helpdesk-Signature value: the time and one `v1=` per secret."""
    parts = [f"t={timestamp}"] + [f"v1={sign(s, timestamp, body)}" for s in secrets_]
    return ",".join(parts)


def verify(
    body: bytes, header: str, secret: str, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """Whether `header` signs `body` with `secret`, made within `tolerance` seconds of `now`."""
    fields = [part.partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in fields if key == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, _, value in fields)
