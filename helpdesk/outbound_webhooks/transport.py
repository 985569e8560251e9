"""One POST to a subscriber: pinned to the checked address, bounded in time, no redirects.

Connect timeout 5 s, the whole exchange 10 s; only the first KB of the answer is
read (for the delivery log). The outcome says whether a retry makes sense:
network errors, 408, 429 (with its Retry-After) and 5xx are temporary; any other
status outside 2xx is permanent, a redirect included (redirects are never followed).
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import certifi
import httpx

from helpdesk.outbound_webhooks.guard import Refused, Target, Unresolvable, check_url

CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
BODY_LOG_BYTES = 1024
RETRY_STATUSES = frozenset({408, 429})


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int | None
    body: str
    duration_ms: int
    error: str
    retryable: bool
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url` (checked against the SSRF rules first); never raises."""
    started = time.monotonic()
    try:
        target = check_url(url)
    except Refused as exc:
        return Outcome(None, "", 0, f"refused: {exc}", retryable=False)
    except Unresolvable as exc:
        return Outcome(None, "", _ms(started), str(exc), retryable=True)
    try:
        status, text, retry_after = asyncio.run(_exchange(target, body, headers))
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(None, "", _ms(started), "timed out", retryable=True)
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        return Outcome(None, "", _ms(started), f"network error: {reason}"[:500], retryable=True)
    return _judge(status, text, retry_after, _ms(started))


def _judge(status: int, text: str, retry_after: str | None, duration_ms: int) -> Outcome:
    if 200 <= status < 300:
        return Outcome(status, text, duration_ms, "", retryable=False)
    if 300 <= status < 400:
        error = f"HTTP {status}: redirects are not followed"
        return Outcome(status, text, duration_ms, error, retryable=False)
    retryable = status in RETRY_STATUSES or status >= 500
    after = parse_retry_after(retry_after) if retryable else None
    return Outcome(status, text, duration_ms, f"HTTP {status}", retryable, after)


async def _exchange(
    target: Target, body: bytes, headers: dict[str, str]
) -> tuple[int, str, str | None]:
    timeout = httpx.Timeout(TOTAL_TIMEOUT, connect=CONNECT_TIMEOUT)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    async with asyncio.timeout(TOTAL_TIMEOUT):
        # trust_env=False: a proxy from the environment would connect elsewhere
        # than the address that was checked.
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls_context()
        ) as client:
            request = client.build_request(
                "POST",
                target.connect_url,
                content=body,
                headers={**headers, "Host": target.host_header},
                extensions=extensions,
            )
            response = await client.send(request, stream=True)
            try:
                head = bytearray()
                async for chunk in response.aiter_bytes():
                    head += chunk
                    if len(head) >= BODY_LOG_BYTES:
                        break
            finally:
                await response.aclose()
    text = bytes(head[:BODY_LOG_BYTES]).decode("utf-8", errors="replace")
    return response.status_code, text, response.headers.get("Retry-After")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Built once per process: a new one per POST (httpx's default) cost ~20 ms of CPU,
    # most of a delivery. Certificates verified against certifi's bundle, as httpx does.
    return ssl.create_default_context(cafile=certifi.where())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
